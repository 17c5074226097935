"""Who may read an inspection report, building it for a request or for given subjects, and
its JSON rendering."""

import json

from models import InspectionSubject, utcnow
from services import policy
from services.register_description import notice_in_force
from services.errors import N_, RegisterError
from services.report.context import DEFAULT_LANGUAGE, LANGUAGES, _Context
from services.report.sections import (
    _contact_person_subjects,
    _customer_subjects,
    _document_head,
    _information,
    _refusal_letter,
    _request_summary,
)


class ReportNotReady(RegisterError):
    """The request has no decision yet: there is nothing to report."""

    def __init__(self):
        super().__init__(N_("The report can be produced once the request has been decided."))


# --- who may read it ----------------------------------------------------------------------


def may_read_report(user, inspection_request):
    """Tell whether ``user`` may produce the report (or refusal letter) of the request.

    The controller and the responsible person: every request. A handler: the requests of
    the own sections. Whoever served an on-site request (seed §14): that request.
    Technical maintenance: never (no personal data on any screen).
    """
    if not policy.may(user, "use_register"):
        return False
    if policy.may(user, "read_all_sections"):
        return True
    if policy.may(user, "handle_section_inspection_requests") and \
            policy.reads_section(user, inspection_request.section_id):
        return True
    return bool(inspection_request.on_site
                and inspection_request.registered_by_id == user.id)


# --- building ---------------------------------------------------------------------------


def build_report(inspection_request, now=None):
    """Return the document for a decided request: the report, or the refusal letter.

    In the request's language (Finnish unless it is Swedish or English). Raises
    ``ReportNotReady`` when the request has no decision yet.
    """
    req = inspection_request
    if req.decision is None:
        raise ReportNotReady()
    language = report_language(req.language)
    if req.decision != "approved":
        now = now or utcnow()
        letter = _refusal_letter(req, language, now)
        letter["privacy_notice"] = notice_in_force(now, language)
        return letter
    pairs = list(InspectionSubject
                 .select(InspectionSubject.customer, InspectionSubject.contact_person)
                 .where(InspectionSubject.request == req.id).tuples())
    # A row naming a contact person is that person's, even if it names the company too: the
    # company's own data is not the contact person's.
    return build_report_for(
        customer_ids=sorted({c for c, p in pairs if c is not None and p is None}),
        contact_person_ids=sorted({p for _, p in pairs if p is not None}),
        language=language, now=now, inspection_request=req)


def build_report_for(customer_ids=(), contact_person_ids=(), language=DEFAULT_LANGUAGE,
                     now=None, inspection_request=None):
    """Return the report on the given customers and contact persons (tests, the bench)."""
    ctx = _Context(report_language(language), now)
    doc = ctx.doc
    report = _document_head(ctx, "inspection_report", doc["title"], doc["file_name"])
    report["subtitle"] = doc["subtitle"]
    report["request"] = _request_summary(ctx, inspection_request)
    generated = ctx.date_text(ctx.now)
    if inspection_request is None:
        intro = [doc["intro"].format(generated=generated)]
    else:  # a request's part covers its own section (each part is answered by its own)
        name = inspection_request.section.name_in(ctx.language)
        intro = [doc["intro_part"].format(section=name, generated=generated)]
        intro.append(doc["received"].format(
            received=ctx.date_text(inspection_request.received_at)))
    report["intro"] = intro

    subjects = _customer_subjects(ctx, list(customer_ids)) \
        + _contact_person_subjects(ctx, list(contact_person_ids))
    ctx.refs.load()
    report["subjects"] = [subject.render(ctx) for subject in subjects]
    report["information"] = _information(ctx, [code for code, _h, _p in doc["sections"]])
    # The privacy notice in force when the report was made (its number and date).
    report["privacy_notice"] = notice_in_force(ctx.now, ctx.language)
    return report


def report_language(code):
    """Return the document language for a stored language code: fi, sv or en (else fi)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def render_json(report):
    """Return the report as JSON text: UTF-8 characters as they are, keys in document order."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


# --- the parts of a document --------------------------------------------------------------

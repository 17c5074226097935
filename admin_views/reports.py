"""The inspection report of a decided request (seed §14): as a page, a PDF and JSON.

``/requests/<id>/report.html|pdf|json``. Not in the menu: the request pages link here.
Who may read it is ``services.report.may_read_report``; a report the user may not read
answers 404, like one that does not exist. Every report produced is an audit event on the
request and on each customer in it, written in the same transaction as the reads.
"""

from flask import Response, abort, render_template, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import SecureBaseView, download, visible_or_404
from database import write_transaction
from models import InspectionRequest
from services import register_settings
from services import requests as rules
from services.exports import JSON_CONTENT_TYPE, PDF_CONTENT_TYPE
from services.report import build_report, may_read_report, render_json, render_pdf

FORMATS = ("html", "pdf", "json")


class InspectionReportView(SecureBaseView):
    """The report (or the refusal letter) of one inspection request."""

    # Maintenance sees no personal data (403 before anything is read); the request decides
    # the rest (``may_read_report``).
    capability = "use_register"

    def is_visible(self):
        return False

    @expose("/<int:request_id>/report.<fmt>")
    def report(self, request_id, fmt):
        """Produce the report of request ``request_id`` as ``fmt``."""
        if fmt not in FORMATS:
            abort(404)
        req = visible_or_404(InspectionRequest, request_id)
        user = current_user._get_current_object()
        if not may_read_report(user, req):
            abort(404)
        if req.decision is None:
            return render_template(
                "error.html", title=_("No decision yet"),
                message=_("The report can be produced once the responsible person or the "
                          "controller has approved or refused the request. Come back to the "
                          "request after the decision.")), 409
        with write_transaction():
            register_settings.ensure_published()  # the report names the notice in force
            report = build_report(req)
            rules.record_report(user, req)
        return self._respond(report, req, fmt)

    def _respond(self, report, req, fmt):
        notice = report.get("privacy_notice")
        if notice:  # its address on this site, in the report's language
            notice["url"] = url_for("public.version", kind="notice", number=notice["number"],
                                    lang=notice["language"], _external=True)
        file_name = f"{report['file_name']}-{req.id}.{fmt}"
        if fmt == "pdf":
            return download(render_pdf(report), file_name, PDF_CONTENT_TYPE, inline=True)
        if fmt == "json":
            return download(render_json(report), file_name, JSON_CONTENT_TYPE)
        headers = {"Cache-Control": "no-store"}
        page = self.render("report/report.html", report=report, request_id=req.id,
                           formats=FORMATS)
        return Response(page, headers=headers)


# Flask-Admin wants a default ("/") page for every view; this one has only the report, and
# a "/requests/" page of its own would clash with the request list. The report is the
# default (the menu, which would link to it without a request id, does not show this view).
InspectionReportView._default_view = "report"

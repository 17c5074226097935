"""The register's sections and their data categories, as the controller edits them (seed
§1, §6, §17). No Flask.

A section is a row: its code (lowercase letters and digits, never changed), its names in
Finnish (required), Swedish and English, and the data categories it holds. Everything
that shows or handles customer data reads the categories from the row — the customer
form and page, the inspection report, the statistics, the marketing list, disclosures,
the purge — so a change here needs no change of code.

- **Adding** a section gives it the default retention period (a ``RetentionPolicy`` row);
  users are given it on the access pages like any other section.
- **Adding a category** shows its fields from the next page on.
- **Removing a category** whose data the section's customers hold asks first, with the
  counts per table and field (``services.retention.leftover``), what to do with the data:
  **keep it until the purge** (the screens stop showing it at once; every purge run of
  the section removes it after its unused customers) or **delete it now** (in batches,
  one transaction and one audit event a batch; held customers keep theirs until their
  hold ends, as in the purge). "Name" (identity) and "Register entry" (record) belong to
  every section.
- **Deleting** a section is possible only while nothing names it: no customers, no users,
  no access or inspection requests, no change of its retention period.

Every change is one transaction with its audit event (object type ``section``, its code)
and a ``SectionChange`` row keeping the old and the new value, who and when; the section's
``version`` refuses a save based on a page someone else's change made stale.
"""

import json
import re

import database
from models import (
    CATEGORIES,
    DEFAULT_RETENTION_MONTHS,
    AccessRequestSection,
    Customer,
    ImportRun,
    InspectionRequest,
    RetentionPolicy,
    RetentionPolicyChange,
    Section,
    SectionChange,
    UserSection,
    utcnow,
)
from services import audit, hetu
from services.errors import N_, RegisterError
from services.retention import leftover
from services.retention.settings import BATCH_SIZE
from services.versioning import check_version, versioned_update

AUDIT_OBJECT_TYPE = "section"
# A letter first: the audit log names a section by its code, and takes codes that start
# with a letter only (a code "2026" was refused there after the section was saved).
CODE = re.compile(r"[a-z][a-z0-9]{0,31}")
NAME_MAX = 200
LANGUAGES = ("fi", "sv", "en")
REQUIRED = leftover.REQUIRED_CATEGORIES
KEEP, DELETE_NOW = "keep", "delete"
STALE = N_("Someone else changed this section meanwhile. Nothing was saved: reload the page "
           "to see the section as it is now, then make your change again.")


def editable_categories():
    """Return the categories a section may hold or not, in the register description's order."""
    return tuple(c for c in CATEGORIES if c not in REQUIRED)


def sections():
    """Return every section, by code."""
    return list(Section.select().order_by(Section.code))


def history(limit=100):
    """Return the newest changes of the sections."""
    return list(SectionChange.select()
                .order_by(SectionChange.changed_at.desc(), SectionChange.id.desc()).limit(limit))


# --- reading what the controller typed ---------------------------------------------------


def parse_code(text):
    """Return a new section's code, or raise RegisterError (field ``code``)."""
    code = (text or "").strip()
    if not CODE.fullmatch(code):
        raise _error("code", N_("Give the section a code of 1 to 32 lowercase letters a–z "
                                "and digits, starting with a letter, e.g. \"events\"."))
    if Section.select().where(Section.code == code).exists():
        raise _error("code", N_("A section with the code %(code)s exists already: choose "
                                "another code."), code=code)
    return code


def parse_names(names):
    """Return ``{"fi": …, "sv": …, "en": …}`` from ``names``; Finnish is required."""
    parsed = {}
    for language in LANGUAGES:
        value = " ".join(str(names.get(language) or "").split())
        if len(value) > NAME_MAX:
            raise _error(f"name_{language}", N_("A name may have at most %(max)s characters: "
                                                "shorten it."), max=NAME_MAX)
        if hetu.refusal(value):
            raise _error(f"name_{language}", hetu.HETU_MESSAGE)
        parsed[language] = value
    if not parsed["fi"]:
        raise _error("name_fi", N_("Give the section its name in Finnish."))
    return parsed


def parse_categories(codes):
    """Return the chosen categories as stored (space-separated, in the register
    description's order, "record" left implicit); refuse unknown ones and leaving out the
    ones every section holds."""
    chosen = {str(c) for c in codes}
    unknown = chosen - set(CATEGORIES)
    if unknown:
        raise _error("categories", N_("There is no data category %(codes)s: choose among "
                                      "the ones listed."), codes=", ".join(sorted(unknown)))
    if not set(REQUIRED) <= chosen:
        raise _error("categories", N_("Every section holds the name and the register entry: "
                                      "these categories cannot be removed."))
    return " ".join(c for c in CATEGORIES if c in chosen and c != "record")


def _error(field, message, **params):
    error = RegisterError(message, **params)
    error.field = field
    return error


# --- changes -----------------------------------------------------------------------------


def _names_json(row):
    return json.dumps({lang: getattr(row, f"name_{lang}") for lang in LANGUAGES},
                      ensure_ascii=False, sort_keys=True)


def _change(section_code, action, actor, old=None, new=None, detail=None):
    return SectionChange.create(section_code=section_code, action=action, old_value=old,
                                new_value=new, detail=detail, changed_by=actor,
                                changed_at=utcnow())


def create_section(code, names, categories, actor):
    """Add a section with its default retention period; return it."""
    code = parse_code(code)
    names = parse_names(names)
    stored = parse_categories(categories)
    with database.write_transaction():
        section = Section.create(code=code, categories=stored,
                                 **{f"name_{lang}": names[lang] for lang in LANGUAGES})
        RetentionPolicy.create(section=section, months=DEFAULT_RETENTION_MONTHS,
                               changed_by=actor, changed_at=utcnow())
        _change(code, "create", actor, new=stored, detail=_names_json(section))
        audit.record("create", actor, object_type=AUDIT_OBJECT_TYPE, object_id=code,
                     section=code, fields=["code", "names", "categories"])
    return section


def removal(section, categories):
    """Return what saving ``categories`` would take away: ``(removed categories,
    {place: count} of their data, held customers)`` — nothing to ask when the counts are
    empty."""
    stored = parse_categories(categories).split()
    removed = tuple(c for c in editable_categories()
                    if c in section.category_set and c not in stored)
    if not removed:
        return removed, {}, 0
    return (removed, leftover.data_counts(section, removed),
            leftover.held_customers(section, removed))


def save_section(section, names, categories, seen, actor, choice=None):
    """Save ``section``'s names and categories as of version ``seen``; return what changed
    (``[]``: nothing).

    Removing a category whose data exists needs ``choice``: ``KEEP`` (until the purge) or
    ``DELETE_NOW``; the data then goes with :func:`delete_data`, batch after batch.
    """
    names = parse_names(names)
    stored = parse_categories(categories)
    removed, counts, _held = removal(section, categories)
    if counts and choice not in (KEEP, DELETE_NOW):
        raise _error("choice", N_("The removed categories hold data: choose whether it is "
                                  "kept until the purge or deleted now."))
    with database.write_transaction():
        current = Section.get_by_id(section.id)
        check_version(current, seen, stale=STALE)
        changes, changed = {}, []
        if any(getattr(current, f"name_{lang}") != names[lang] for lang in LANGUAGES):
            changes.update({f"name_{lang}": names[lang] for lang in LANGUAGES})
            changed.append("names")
        if current.categories.split() != stored.split():
            changes["categories"] = stored
            changed.append("categories")
        if not changes:
            return []
        versioned_update(current, changes, seen=seen, stale=STALE)
        if "names" in changed:
            new = Section.get_by_id(section.id)
            _change(current.code, "names", actor, old=_names_json(current),
                    new=_names_json(new))
        if "categories" in changed:
            detail = {"choice": choice, "counts": counts} if counts else None
            if detail is None and leftover.kept_for_accounts(current, removed):
                # Only invoices the Accounting Act keeps: nothing to ask now, but the purge
                # takes them when their keeping ends.
                detail = {"choice": KEEP, "counts": {}}
            _change(current.code, "categories", actor, old=current.categories, new=stored,
                    detail=json.dumps(detail, sort_keys=True) if detail else None)
        audit.record("update", actor, object_type=AUDIT_OBJECT_TYPE, object_id=current.code,
                     section=current.code, fields=changed)
    return changed


def delete_data(section, categories, actor, batch_size=BATCH_SIZE):
    """Delete now the data of ``categories`` (ones the section no longer holds) of the
    section's customers, in batches of ``batch_size`` customers, each one transaction with
    its audit event; return ``{place: count}`` of everything deleted. Kept in the section's
    history as one change whose counts grow batch by batch."""
    missing = set(leftover.missing_categories(Section.get_by_id(section.id)))
    categories = tuple(c for c in categories if c in missing)
    totals = {}
    if not categories:
        return totals
    with database.write_transaction():
        change = _change(section.code, "delete_data", actor, old=" ".join(categories),
                         detail=json.dumps({"counts": {}}))
    while True:
        with database.write_transaction():
            customers, removed = leftover.remove_batch(section, categories, batch_size)
            if not customers:
                break
            for key, number in removed.items():
                totals[key] = totals.get(key, 0) + number
            SectionChange.update(detail=json.dumps({"counts": totals}, sort_keys=True)).where(
                SectionChange.id == change.id).execute()
            audit.record("delete", actor, object_type=AUDIT_OBJECT_TYPE,
                         object_id=section.code, section=section.code,
                         fields=sorted(removed))
    return totals


def delete_blockers(section):
    """Return what keeps ``section`` from being deleted, as untranslated messages."""
    checks = (
        (Customer.select().where(Customer.section == section.id),
         N_("It has customers: they would have no section.")),
        (UserSection.select().where(UserSection.section == section.id),
         N_("Users have it: take it from their accounts first (Access requests).")),
        (AccessRequestSection.select().where(AccessRequestSection.section == section.id),
         N_("Access requests name it: their history is kept.")),
        (InspectionRequest.select().where(InspectionRequest.section == section.id),
         N_("Inspection requests name it: their history is kept.")),
        (RetentionPolicyChange.select().where(RetentionPolicyChange.section == section.id),
         N_("Its retention period has been changed: that history is kept.")),
        (ImportRun.select().where(ImportRun.section == section.id),
         N_("Imports name it: their reports are kept.")),
    )
    return [message for query, message in checks if query.exists()]


class InUse(RegisterError):
    """The section cannot be deleted: ``blockers`` are the untranslated reasons."""

    def __init__(self, code, blockers):
        super().__init__(N_("The section %(code)s cannot be deleted. %(reasons)s"), code=code,
                         reasons=" ".join(blockers))
        self.blockers = blockers


def delete_section(section, actor):
    """Delete a section nothing names (``delete_blockers``); raise ``InUse`` otherwise."""
    with database.write_transaction():
        current = Section.get_or_none(Section.id == section.id)
        if current is None:
            return
        blockers = delete_blockers(current)
        if blockers:
            raise InUse(current.code, blockers)
        RetentionPolicy.delete().where(RetentionPolicy.section == current.id).execute()
        Section.delete().where(Section.id == current.id).execute()
        _change(current.code, "delete", actor, old=current.categories,
                detail=_names_json(current))
        audit.record("delete", actor, object_type=AUDIT_OBJECT_TYPE, object_id=current.code,
                     section=current.code, fields=["code"])

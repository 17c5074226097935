"""The informing record on the customer form and its contact person rows (seed §13): the
form asks ``services.informing`` and shows its answer at the fields.

A new customer and a new contact person must have the record; one saved before informing
was required may stay without it, but a record once there stays whole.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from forms.base import RegisterForm
from forms.fields import HelsinkiDateTimeField
from services import informing
from services.informing.rules import REASON_MAX_LENGTH
from services.vocabulary.customers import INFORMED_HOW_LABELS


def _values(form):
    return {name: getattr(form, name).data for name in informing.RECORD_FIELDS
            if hasattr(form, name)}


def _show(form, problems):
    for name, key in problems.items():
        field = getattr(form, name, None)
        if field is not None:
            msgid, params = informing.message(key)
            field.errors = list(field.errors) + [_(msgid, **params)]
    return not problems


def check_record(form, stored=None, birth_date=None):
    """Check the informing fields of ``form`` (a customer's or a contact person's);
    ``stored`` is the row as saved, None for a new one. Tell whether they pass."""
    if not hasattr(form, informing.HOW):
        return True
    required = stored is None or informing.is_recorded(stored)
    return _show(form, informing.informing_problems(_values(form), required=required,
                                                    birth_date=birth_date))


def check_contact_persons(form, editing=None):
    """Check the informing record of each contact person row of the customer ``form``:
    required of a new row (``editing`` is the customer as saved, None when new)."""
    rows = getattr(form, "contact_persons", None)
    if rows is None:
        return True
    own = {str(row.id): row for row in editing.contact_persons} if editing is not None else {}
    clean = True
    for entry in rows.entries:
        if not hasattr(entry, "form") or rows.should_delete(entry):
            continue
        stored = own.get(str(entry.get_pk() or ""))
        clean = check_record(entry.form, stored) and clean
    return clean


def check_customer(form):
    """Check the informing records of the customer form and its contact person rows."""
    editing = getattr(form, "editing", None)
    birth = getattr(getattr(form, "birth_date", None), "data", None)
    customer_ok = check_record(form, editing, birth_date=birth)
    return check_contact_persons(form, editing) and customer_ok


class BulkInformingForm(RegisterForm):
    """How and when the selected customers were informed (the list's bulk action)."""

    informed_how = SelectField(_l("How informed"), choices=[
        SelectChoice(code, label)
        for code, label in [("", _l("— choose —")), *INFORMED_HOW_LABELS.items()]])
    informed_at = HelsinkiDateTimeField(
        _l("Informed of registration"),
        description=_l("Helsinki time, e.g. 25.11.2026 14:30; when not reachable, when they "
                       "were tried to be reached."))
    not_reachable_reason = StringField(
        _l("Why not reachable"), validators=[Length(max=REASON_MAX_LENGTH)],
        description=_l("Only when the person could not be reached."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return check_record(self) and valid

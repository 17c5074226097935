"""The customer form's checks of where the data came from and of its addresses (seed §7).

The rules are services': ``services.sources`` (a source that needs a note) and
``services.postal_codes`` (the address check). This mixin only finds the rows of the form
the rules apply to and puts each problem next to its field, keeping what was typed.
"""

from flask_babel import gettext as _

from services import postal_codes, sources
from services.vocabulary import customers as labels

# The inline lists of the customer form whose rows record a source.
SOURCED_LISTS = ("contact_persons", "addresses")


def collapse_spaces(value):
    """Form filter: one space between words, none at the ends (as the check compares)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _live_entries(form, name):
    """Yield the forms of the rows of the inline list ``name`` not marked for deletion."""
    field = getattr(form, name, None)
    for entry in (field.entries if field is not None else ()):
        if hasattr(entry, "form") and not field.should_delete(entry):
            yield entry.form


def _add_error(field, message):
    field.errors = list(field.errors) + [message]


def _note_given(form):
    """Check that a source that needs a note has one; tell whether it is so."""
    source = getattr(form, "data_source", None)
    note = getattr(form, "data_source_note", None)
    if source is None or note is None or not sources.note_missing(source.data, note.data):
        return True
    _add_error(note, _(sources.NOTE_MESSAGE, field=note.label.text,
                       source=labels.DATA_SOURCE_LABELS[source.data]))
    return False


def _address_passes(form, stored):
    """Check a row of the addresses against the postal code table; tell whether it passes.

    A row saved before with the same code, city and country is not asked again, nor one
    with a reason to keep its values.
    """
    reason = getattr(form, "postal_check_reason", None)
    if form.postal_code.errors or form.city.errors or (reason is not None
                                                        and (reason.data or "").strip()):
        return True
    posted = (form.postal_code.data or "", form.city.data or "", form.country.data or "")
    before = stored.get(str(form.id.data or ""))
    if before is not None and posted == (before.postal_code or "", before.city or "",
                                         before.country or ""):
        return True
    problem = postal_codes.check(*posted)
    if problem is None:
        return True
    label = reason.label.text if reason is not None else ""
    _add_error(getattr(form, problem.field), _(problem.message, field=label, **problem.params))
    return False


class SourceChecks:
    """A source that needs a note has one, on the customer and its rows; every new or
    changed Finnish address matches the postal code table (or says why not)."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        rows = [form for name in SOURCED_LISTS for form in _live_entries(self, name)]
        for form in [self, *rows]:
            valid = _note_given(form) and valid
        editing = getattr(self, "editing", None)
        stored = ({str(a.id): a for a in editing.addresses} if editing is not None
                  and getattr(self, "addresses", None) is not None else {})
        for form in _live_entries(self, "addresses"):
            valid = _address_passes(form, stored) and valid
        return valid

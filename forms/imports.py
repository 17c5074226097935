"""An imported row checked by the customer screen's own form: the same class the create
page builds (its fields, validators, kind rules, informing record, source checks and the
henkilötunnus guard), pruned to the section's data categories, fed the row's data
without a request. ``row_validator`` hands the imports service its check."""

from werkzeug.datastructures import MultiDict
from wtforms.fields import FieldList
from wtforms.utils import unset_value

from models import Address, Customer

SKIPPED = ("version", "different_company", "create_anyway")
# The customer form's inline list an imported row fills: its first address.
ROW_LISTS = ("addresses",)


def _errors(form):
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                if hasattr(entry, "form"):
                    yield from _errors(entry.form)
        elif field.errors:
            for message in field.errors:
                if isinstance(message, dict):  # a subform's errors come with its fields
                    continue
                yield field.name, field.label.text, str(message)


def _values(form):
    customer = {name: field.data for name, field in form._fields.items()
                if name in Customer._meta.fields and name not in SKIPPED}
    rows = getattr(form, "addresses", None)
    address = None
    if rows is not None and rows.entries:
        entry = rows.entries[0].form
        address = {name: field.data for name, field in entry._fields.items()
                   if name in Address._meta.fields and name != "id"}
    return {"customer": customer, "address": address}


def _first_entry_reused(rows):
    """Make the inline list ``rows`` (the address) process a row's single entry ("…-0-")
    with the entry form it built for the first such row, instead of binding a new one:
    processing resets every field's data and errors as a new form would."""
    built = rows.process
    kept = []

    def process(formdata, data=unset_value, extra_filters=None):
        indices = set(rows._extract_indices(rows.name, formdata)) if formdata else set()
        if indices != {0} or not kept:
            built(formdata, data, extra_filters)
            if indices == {0} and len(rows.entries) == 1:
                kept[:] = rows.entries
            return
        entry = kept[0]
        entry.form.process(formdata)
        entry._should_delete = f"del-{entry.id}" in formdata  # as Flask-Admin's list sets it
        rows.entries, rows.last_index = [entry], 0

    rows.process = process


def row_validator(view, section):
    """Return ``validate(data) -> (values, errors)`` checking a row's form data as the
    customer view ``view`` checks a new customer of ``section``."""
    base = view._create_form_class
    # The same class without the fields a row never fills (the other inline lists, the
    # version and the duplicate confirmation): each row's form is built several times
    # faster, its rules unchanged.
    unused = [name for name in dir(base)
              if getattr(getattr(base, name), "field_class", None) is not None and (
                  name in SKIPPED or (issubclass(getattr(base, name).field_class, FieldList)
                                      and name not in ROW_LISTS))]
    form_class = type("ImportRowForm", (base,), dict.fromkeys(unused))

    # One form for the whole file, fed each row in turn: processing a row resets every
    # field's data and errors as a new form would, without binding the fields anew.
    form = view._prune_to_section(form_class(formdata=None), section)
    for name in ROW_LISTS:
        if getattr(form, name, None) is not None:
            _first_entry_reused(getattr(form, name))

    def validate(data):
        form.process(formdata=MultiDict(data))
        if form.validate():
            return _values(form), []
        return None, list(_errors(form))

    return validate

"""The generated forms' field of a model field with choices (forms/fields.py
ModelChoiceField) decides as wtfpeewee's own field does, message included, for every kind
of value a form or an import row sends; the customer form uses it."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtfpeewee.fields import SelectChoicesField

from forms.fields import ModelChoiceField

CHOICES = [("person", "Henkilö"), ("company", "Yritys"), ("", "Ei tiedossa")]
NUMBERS = [(1, "yksi"), (2, "kaksi")]


def _form(field_class, **kwargs):
    class F(Form):
        value = field_class(**kwargs)
    return F


@pytest.mark.parametrize("kwargs", [
    {"choices": CHOICES},
    {"choices": CHOICES, "allow_blank": True},
    {"choices": NUMBERS, "coerce": int},
    {"choices": NUMBERS, "coerce": int, "allow_blank": True},
])
@pytest.mark.parametrize("sent", [None, "person", "company", "", "Person", "persons", "__None",
                                  "1", "2", "3", "01", " 1", "x" * 300, "\x00", "1" * 20])
def test_it_decides_as_the_stock_field(app, kwargs, sent):
    data = MultiDict() if sent is None else MultiDict({"value": sent})
    with app.test_request_context():
        ours, stock = _form(ModelChoiceField, **kwargs)(data), _form(SelectChoicesField,
                                                                     **kwargs)(data)
        assert ours.validate() == stock.validate()
        assert ours.value.errors == stock.value.errors
        assert ours.value.data == stock.value.data


def test_choices_replaced_on_the_field_are_read_again(app):
    with app.test_request_context():
        form = _form(ModelChoiceField, choices=CHOICES)(MultiDict({"value": "person"}))
        assert form.validate()
        form.value.choices = [("company", "Yritys")]
        assert not form.validate()
        stock = _form(SelectChoicesField, choices=[("company", "Yritys")])(
            MultiDict({"value": "person"}))
        assert not stock.validate()
        assert form.value.errors == stock.value.errors


def test_the_customer_form_checks_its_choices_so(app):
    from admin_views.customers import CustomerView

    with app.test_request_context():
        view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, CustomerView))
        form_class = view._create_form_class
        assert form_class.kind.field_class is ModelChoiceField
        assert form_class.language.field_class is ModelChoiceField

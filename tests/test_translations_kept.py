"""admin_views/base/translations.py: a request's translations are found once and kept,
yet every string is in the language in use at the moment it is translated: the user's,
one forced for a while (``force_locale``), a new one after ``refresh``, each request's
own; outside a request a string stays as written."""

import flask_babel
from flask import render_template_string, session
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from admin_views.base import translations
from services import vocabulary
from services.vocabulary.customers import CUSTOMER_KIND_LABELS

SAID = "{{ _('Customers') }}|{{ gettext('Save') }}"


def test_the_translations_follow_the_language_in_use(app):
    with app.test_request_context("/"):
        assert gettext("Customers") == "Asiakkaat"
        assert render_template_string(SAID) == "Asiakkaat|Tallenna"
        assert flask_babel.get_translations() is flask_babel.get_translations()  # kept
        with force_locale("sv"):
            assert gettext("Customers") == "Kunder"
            assert render_template_string(SAID).startswith("Kunder|")
            assert str(lazy_gettext("Customers")) == "Kunder"
        assert gettext("Customers") == "Asiakkaat"
        assert render_template_string(SAID) == "Asiakkaat|Tallenna"
        session["lang"] = "en"  # the user changes language: the page says so at once
        refresh()
        assert gettext("Customers") == "Customers"
        assert render_template_string(SAID) == "Customers|Save"
        assert str(CUSTOMER_KIND_LABELS["company"]) == "Company"


def test_each_request_translates_in_its_own_language(app):
    for lang, customers in (("sv", "Kunder"), ("fi", "Asiakkaat"), ("en", "Customers"),
                            ("sv", "Kunder")):
        with app.test_request_context("/"):
            session["lang"] = lang
            assert gettext("Customers") == customers
            assert render_template_string("{{ _('Customers') }}") == customers
            assert str(vocabulary.Label("Customers")) == customers


def test_outside_a_request_a_string_stays_as_written(app):
    assert gettext("Customers") == "Customers"
    with app.app_context():  # a command: no request, no chosen language
        assert gettext("Customers") == "Asiakkaat"


def test_installed_once_however_many_apps(app):
    translations.install()
    translations.install()
    assert flask_babel.Domain.get_translations is translations._domain_translations
    assert flask_babel.get_translations is translations._request_translations
    assert flask_babel.get_domain is translations._request_domain
    assert translations._found is not translations._domain_translations

"""Flask-Babel's translations found once a request, not once a string.

Flask-Babel 4 finds the translations anew for every string it translates: the request's
Babel context through ``g`` (twice), the domain, the locale, then the catalogue cache by
locale and domain, about 6 µs a string where the catalogue's own lookup takes 0.1 µs. A
customer's page translates some 170 strings (labels, headings, the names of codes): about
1 ms of its 8.

``install()`` (at start-up) keeps the translations found on the request's Babel context
per domain (the register's, Flask-Admin's own) with the locale object they were found
for, and hands them out while it is the same. A locale changed within the request (``force_locale``, or ``refresh`` after
the user changed language) is another object, so the translations are found again; so
are they in another request, whose context is new. The context is reached through the
application context's ContextVar, as ``flask.g`` reaches it, without the proxy's steps.
"""

import flask_babel
from flask.globals import _cv_app

_found = flask_babel.Domain.get_translations
_found_for_request = flask_babel.get_translations
_found_domain = flask_babel.get_domain


def _babel_names():
    """Return the attributes of the request's Babel context (a dict), or None."""
    context = _cv_app.get(None)
    if context is None:
        return None
    babel = vars(context.g).get("_flask_babel")
    return None if babel is None else vars(babel)


def _kept(names, domain):
    kept = names.get("kept_translations")
    if kept is not None:
        found = kept.get(domain)
        if found is not None:
            locale = names.get("babel_locale")
            if locale is not None and found[0] is locale:
                return found[1]
    return None


def _keep(domain, translations):
    names = _babel_names()
    if names is not None:
        kept = names.setdefault("kept_translations", {})
        kept[domain] = (names.get("babel_locale"), translations)
    return translations


def _domain_translations(domain):
    """``Domain.get_translations``: the kept translations, else found and kept."""
    names = _babel_names()
    kept = _kept(names, domain) if names is not None else None
    return kept if kept is not None else _keep(domain, _found(domain))


def _request_translations():
    """``flask_babel.get_translations`` (the templates' ``_``): the same, for the
    request's domain."""
    names = _babel_names()
    if names is not None:
        kept = _kept(names, names.get("babel_domain"))
        if kept is not None:
            return kept
    return _found_for_request()


def _request_domain():
    """``flask_babel.get_domain`` (what ``gettext`` asks first): the request's domain as
    the context holds it, else found as Flask-Babel finds it."""
    names = _babel_names()
    domain = names.get("babel_domain") if names is not None else None
    return domain if domain is not None else _found_domain()


def install():
    """Make Flask-Babel keep a request's translations for the rest of the request."""
    flask_babel.Domain.get_translations = _domain_translations
    flask_babel.get_translations = _request_translations
    flask_babel.get_domain = _request_domain

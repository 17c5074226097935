"""WTForms' ``html_params``, written as fast as it was before it returned ``Markup``.

WTForms 3.3 builds each attribute with ``Markup('{k}="{v}"').format(...)``: Python's
``string.Formatter`` in pure Python, about 4 µs an attribute. The customer's edit form has
115 fields of about nine attributes each, and spent about 40 % of its 41 ms writing them
(cProfile, 2026-12-07); it is opened before every save. ``html_params`` here gives the
same ``Markup``, character for character (``tests/test_widgets.py`` compares the two over
every kind of key and value), with f-strings; ``install()`` puts it where WTForms' and
Flask-Admin's widgets look it up.
"""

import wtforms.widgets.core as wtforms_widgets
from markupsafe import Markup, escape

ORIGINAL = wtforms_widgets.html_params


def html_params(**kwargs):
    """Return the HTML attributes of ``kwargs`` as WTForms' ``html_params`` does: sorted
    by key, ``class_`` as ``class``, ``data_``/``aria_`` keys with hyphens, ``True`` as the
    bare name, ``False`` left out, every key and value escaped (a ``"`` of a ``Markup``
    value too)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(wtforms_widgets.clean_key(key))
        if value is True:
            params.append(str(key))
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def install():
    """Make WTForms' and Flask-Admin's widgets write their attributes with
    ``html_params``."""
    import flask_admin.form.upload
    import flask_admin.model.widgets
    import wtforms.widgets

    for module in (wtforms_widgets, wtforms.widgets, flask_admin.model.widgets,
                   flask_admin.form.upload):
        if getattr(module, "html_params", None) is ORIGINAL:
            module.html_params = html_params
    for name in dir(wtforms_widgets):
        widget = getattr(wtforms_widgets, name)
        if isinstance(widget, type) and widget.__dict__.get("html_params") is not None:
            if widget.__dict__["html_params"].__func__ is ORIGINAL:
                widget.html_params = staticmethod(html_params)

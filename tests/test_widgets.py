"""forms/widgets.py: the register's ``html_params`` gives WTForms' own ``Markup``,
character for character, for every kind of key and value; ``install`` puts it into the
widgets (and does not undo WTForms' own when called again)."""

import itertools
import random

import wtforms.widgets.core as wtforms_widgets
from flask_admin.model import widgets as admin_widgets
from markupsafe import Markup

from forms import widgets

KEYS = ["name", "id", "class_", "for_", "data_kinds", "aria_describedby", "data_x_y_",
        "value", "type", "required", "checked", "readonly", "data-raw", "x<y", 'q"t']
VALUES = [True, False, None, 0, 7, 2.5, "", "plain", "Åäö € ✓", "a\"b'c<d>&e", "  ",
          Markup("<b>bold</b>"), Markup('<a href="#">x</a>'), Markup("a &amp; b"),
          "\x00nul", "line\nbreak", "tab\there"]


def test_the_same_markup_as_wtforms_for_every_key_and_value():
    for key, value in itertools.product(KEYS, VALUES):
        mine = widgets.html_params(**{key: value})
        theirs = widgets.ORIGINAL(**{key: value})
        assert mine == theirs and type(mine) is type(theirs), (key, value, mine, theirs)
    rng = random.Random(2026)
    for _ in range(500):
        chosen = {key: rng.choice(VALUES) for key in rng.sample(KEYS, rng.randint(0, 8))}
        assert widgets.html_params(**chosen) == widgets.ORIGINAL(**chosen), chosen
    assert widgets.html_params() == widgets.ORIGINAL() == Markup("")


def test_the_widgets_write_with_it_once_installed(app):
    widgets.install()
    widgets.install()  # a second app: nothing changes
    assert wtforms_widgets.html_params is widgets.html_params
    assert admin_widgets.html_params is widgets.html_params
    assert wtforms_widgets.Input.html_params is widgets.html_params
    assert wtforms_widgets.TextInput.html_params is widgets.html_params

"""Translated labels for the codes the register stores."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "controller": _l("Controller"),
    "responsible": _l("Responsible person"),
    "handler": _l("Register handler"),
    "staff": _l("Staff member"),
    "maintenance": _l("Technical maintenance"),
}

ROLE_DUTIES = {
    "controller": _l(
        "Reads every section; decides access grants, disclosures, retention and purges."
    ),
    "responsible": _l(
        "Reads every section; decides inspection requests, reviews access yearly, "
        "looks after data security."
    ),
    "handler": _l(
        "Implements granted access, handles inspection and rectification requests, "
        "edits the own section."
    ),
    "staff": _l("Creates and updates customers in the sections granted."),
    "maintenance": _l("Backups and system status; sees no personal data."),
}

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

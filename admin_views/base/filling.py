"""The create form's duplicate warning answered "fill the existing customer": its empty
fields filled from the form, in one write, and what happened said."""

from flask import flash
from flask_babel import gettext as _
from wtforms import FieldList

from database import write_transaction
from forms.duplicates import filled_message
from services.duplicates import update_matched
from services.errors import RegisterError


def fill_existing(section, customer_id, values, actor, form=None):
    """Fill the existing customer's empty fields from the create form's ``values``; say
    what was filled, or why nothing was (the customer would contradict itself: a birth
    date after its informing), and which lists of rows typed in ``form`` were not stored
    (only fields are filled); tell whether it was filled."""
    try:
        with write_transaction():
            changed = update_matched(section, customer_id, values, actor)
    except RegisterError as ex:
        flash(_(ex.message, **ex.params), "error")
        return False
    flash(*filled_message(changed))
    typed = [str(field.label.text) for field in (form or ())
             if isinstance(field, FieldList) and field.entries]
    if typed:
        flash(_("The rows typed in the form were not stored (%(lists)s): add them on the "
                "existing customer's edit page.", lists=", ".join(typed)), "warning")
    return True

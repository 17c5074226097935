"""The create form's duplicate warning answered "fill the existing customer": its empty
fields filled from the form, in one write, and what happened said."""

from flask import flash
from flask_babel import gettext as _

from database import write_transaction
from forms.duplicates import filled_message
from services.duplicates import update_matched
from services.errors import RegisterError


def fill_existing(section, customer_id, values, actor):
    """Fill the existing customer's empty fields from the create form's ``values``; say
    what was filled, or why nothing was (the customer would contradict itself: a birth
    date after its informing); tell whether it was filled."""
    try:
        with write_transaction():
            changed = update_matched(section, customer_id, values, actor)
    except RegisterError as ex:
        flash(_(ex.message, **ex.params), "error")
        return False
    flash(*filled_message(changed))
    return True

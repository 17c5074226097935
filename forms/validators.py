"""Validators of the register's fields: Y-tunnus, phone, postal code, email, birth date.

Messages are translated when raised (plain strings): Flask-Admin shows only ``str`` errors.

The henkilötunnus guard is not a per-field validator: ``RegisterForm`` (forms/base.py)
applies it to every text field of a form and of its inline forms, so no field can be
forgotten.
"""

import datetime
import decimal
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from stdnum.fi import ytunnus
from wtforms.validators import InputRequired, StopValidation, ValidationError

from models import utcnow
from services.inputs import year_in_range
from services.localtime import CLOCK_SLACK, helsinki_today

POSTAL_CODE = re.compile(r"^[0-9]{5}$")
# Digits and what people write between them; letters (vanity numbers) are not accepted.
PHONE_CHARACTERS = re.compile(r"^[0-9+()./\s-]+$")
OLDEST_AGE_YEARS = 120


def amount_fits(column):
    """Return a validator refusing an amount the peewee DecimalField ``column`` cannot hold
    or a page could not show again: not a finite number ("NaN", "Infinity", "1e30"), not
    written in ASCII digits ("١٠"), too large, or with more decimals than the column's."""
    limit = decimal.Decimal(10) ** (column.max_digits - column.decimal_places)

    def check(form, field):
        if field.data is None:
            return
        typed = " ".join(str(raw) for raw in field.raw_data or [])
        if (not "".join(typed.split()).isascii() or not field.data.is_finite()
                or abs(field.data) >= limit
                or field.data.as_tuple().exponent < -column.decimal_places):
            raise ValidationError(_("Write an amount in euros, e.g. 249.90."))
    return check


class Required(InputRequired):
    """``InputRequired`` whose message (a lazy text) is raised as a plain string."""

    def __call__(self, form, field):
        if field.raw_data and field.raw_data[0]:
            return
        field.errors[:] = []
        raise StopValidation(str(self.message))


def _empty(field):
    return field.data is None or (isinstance(field.data, str) and not field.data.strip())


def business_id(form, field):
    """Accept a Y-tunnus with a valid check digit; store it as ``1234567-8``."""
    if _empty(field):
        return
    value = field.data.strip()
    if not ytunnus.is_valid(value):
        raise ValidationError(
            _("Check the business ID (Y-tunnus): it is seven digits, a hyphen and a check "
               "digit, e.g. 0737546-2, and the check digit must match.")
        )
    field.data = ytunnus.format(value)


def phone_number(form, field):
    """Accept a phone number that can be dialled (Finnish by default); store it in E.164."""
    if _empty(field):
        return
    if not PHONE_CHARACTERS.match(field.data):
        number = None
    else:
        try:
            number = phonenumbers.parse(field.data, "FI")
        except phonenumbers.NumberParseException:
            number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("Check the phone number: write it e.g. as 040 123 4567 or +46 8 123 456.")
        )
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def postal_code(form, field):
    """Accept a Finnish postal code of five digits."""
    if _empty(field):
        return
    value = field.data.strip()
    country = getattr(getattr(form, "country", None), "data", "FI") or "FI"
    if country.upper() == "FI" and not POSTAL_CODE.match(value):
        raise ValidationError(_("A Finnish postal code is five digits, e.g. 00100."))
    field.data = value


def email_address(form, field):
    """Accept a syntactically valid email address (no DNS lookups); store it normalised."""
    if _empty(field):
        return
    try:
        result = validate_email(field.data.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(
            _("Check the email address: it should look like name@example.fi.")
        ) from None
    field.data = result.normalized


def birth_date(form, field):
    """Accept a birth date that is not in the future nor over 120 years ago (Helsinki's
    calendar: at 00:30 in Helsinki, today's date is already today)."""
    if field.data is None:
        return
    today = helsinki_today()
    if field.data > today:
        raise StopValidation(_("The birth date cannot be in the future."))
    try:
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS, day=28)
    if field.data < oldest:
        raise StopValidation(
            _("The birth date is over %(years)d years ago; check the year.",
               years=OLDEST_AGE_YEARS)
        )


def not_in_future(form, field):
    """Refuse a time later than now (a few minutes of clock difference allowed), or a date
    later than Helsinki's today.

    A time is the naive UTC ``data`` of a ``HelsinkiDateTimeField`` (forms/fields.py).
    """
    if field.data is None or not year_in_range(field.data):
        return  # a year out of the register's is said so by the form (forms/base.py)
    value = field.data
    if isinstance(value, datetime.datetime):
        late = value > utcnow() + CLOCK_SLACK
    else:
        late = value > helsinki_today()
    if late:
        raise ValidationError(_("This cannot be in the future."))


def _invoiced_on(form):
    """Return the invoice's date the form holds, or None (a form without it)."""
    value = getattr(getattr(form, "invoice_date", None), "data", None)
    return value if isinstance(value, datetime.date) else None


def not_before_invoice_date(form, field):
    """Refuse a date (the due date, the payment's) before the invoice's own date."""
    invoiced = _invoiced_on(form)
    if field.data is not None and invoiced is not None and field.data < invoiced:
        raise ValidationError(_("This is before the invoice's date; check both dates."))


def paid_only_when_paid(form, field):
    """Refuse a day of payment of an invoice whose state is not "paid": it was counted as
    collected in the statistics although open, in collection or written off."""
    state = getattr(form, "collection_state", None)
    if field.data is not None and state is not None and state.data not in (None, "paid"):
        raise ValidationError(_("A day of payment is given only for a paid invoice: empty "
                                "it, or choose the state paid."))


def paid_on_when_paid(form, field):
    """Refuse the collection state "paid" of an invoice with no day of payment."""
    paid_on = getattr(form, "paid_on", None)
    if field.data == "paid" and paid_on is not None and paid_on.data is None:
        raise ValidationError(_("Give the day the invoice was paid, or choose another state."))

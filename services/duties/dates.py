"""Calendar arithmetic of the duties: whole months, the day clamped to the month's end
(the retention settings' rule, ``services.retention.settings.months_before``)."""

from services.retention.settings import months_before


def add_months(day, months):
    """Return ``day`` plus ``months`` calendar months (negative: back); the day is clamped
    to the month's end (31 January + 1 month = 28 or 29 February)."""
    return months_before(day, -months)

"""Calendar arithmetic of the duties: whole months, the day clamped to the month's end."""

import datetime


def add_months(day, months):
    """Return ``day`` plus ``months`` calendar months (negative: back); the day is clamped
    to the month's end (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))

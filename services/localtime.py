"""Helsinki time for the rules: every time is stored as naive UTC (models.utcnow), and
deadlines, calendar days and what people read are in Europe/Helsinki. No Flask here."""

import datetime
import zoneinfo

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def to_helsinki(moment):
    """Return the naive UTC ``moment`` as an aware Helsinki time."""
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(HELSINKI)


def helsinki_date(moment):
    """Return the Helsinki calendar day of the naive UTC ``moment``."""
    return to_helsinki(moment).date()


def from_helsinki(local):
    """Return a naive Helsinki wall-clock time as naive UTC."""
    aware = local.replace(tzinfo=HELSINKI)
    return aware.astimezone(datetime.timezone.utc).replace(tzinfo=None)

"""Helsinki time for the rules: every time is stored as naive UTC, and deadlines, calendar
days and what people read and type are in Europe/Helsinki. No Flask here.

One clock: ``models.utcnow()`` is "now" for the whole register, and
``helsinki_today()`` is "today" — Helsinki's date, which from 22:00 or 21:00 UTC on is
already the next day. One way in: ``from_helsinki_typed`` reads a wall time a person typed
(forms/fields.py ``HelsinkiDateTimeField``). One way out: ``format_datetime`` and
``format_date`` show a stored time in Helsinki time, for pages, lists, reports and exports.
"""

import datetime
import functools
import re
import zoneinfo

from babel import Locale
from babel import dates as babel_dates

from models import utcnow  # the register's one clock
from services.inputs import year_in_range

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")

# A time "not in the future" may be this much ahead: the clock a person read and this
# machine's clock differ by a few minutes.
CLOCK_SLACK = datetime.timedelta(minutes=5)



def to_helsinki(moment):
    """Return ``moment`` (naive UTC, or aware) as an aware Helsinki time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(HELSINKI)


def helsinki_date(moment):
    """Return the Helsinki calendar day of the naive UTC ``moment``."""
    return to_helsinki(moment).date()


def helsinki_today(now=None):
    """Return today's date in Helsinki (at the naive UTC ``now``, by default the clock's)."""
    return helsinki_date(now or utcnow())


def from_helsinki(local):
    """Return a naive Helsinki wall-clock time as naive UTC."""
    aware = local.replace(tzinfo=HELSINKI)
    return aware.astimezone(datetime.timezone.utc).replace(tzinfo=None)


class TypedTimeError(ValueError):
    """A typed wall time that names no moment; ``problem`` says why."""

    def __init__(self, problem, local):
        super().__init__(f"{problem}: {local:%Y-%m-%d %H:%M}")
        self.problem = problem  # "years" or "nonexistent"
        self.local = local


def from_helsinki_typed(local, now=None):
    """Return the naive Helsinki wall time ``local`` a person typed as naive UTC.

    Raises ``TypedTimeError`` for a year outside the years a date may be typed in
    (``services.inputs``: anything else is a slip of the keyboard, and 01.01.0001 00:00
    Helsinki time has no UTC time at all) and for a time the clocks
    skip when summer time starts (03:00–03:59 on the last Sunday of March). A time they
    show twice when it ends (03:00–03:59 on the last Sunday of October) is the later of
    its two moments that is not in the future at ``now`` (the clock's by default): what
    was typed during that night is what just happened, and the present time, typed, is
    the present moment.
    """
    if not year_in_range(local):
        raise TypedTimeError("years", local)
    local = local.replace(tzinfo=None)
    first, second = (local.replace(tzinfo=HELSINKI, fold=fold).astimezone(datetime.timezone.utc)
                     .replace(tzinfo=None) for fold in (0, 1))
    if first == second:
        return first
    if to_helsinki(first).replace(tzinfo=None) != local:
        raise TypedTimeError("nonexistent", local)
    earlier, later = sorted((first, second))
    return later if later <= (now or utcnow()) + CLOCK_SLACK else earlier


def format_datetime(moment, locale, format="short"):
    """Return the stored (naive UTC) ``moment`` as Helsinki time in ``locale``'s words.

    ``format`` is a Babel width ("short", "medium", …) or a CLDR pattern
    ("d.M.yyyy 'klo' H.mm"); None shows as "".
    """
    if moment is None:
        return ""
    if not isinstance(moment, datetime.datetime):
        return format_date(moment, locale)
    if format in _WIDTHS:
        return babel_dates.format_datetime(to_helsinki(moment), format, tzinfo=HELSINKI,
                                           locale=_locale(locale))
    # A CLDR pattern, as Babel's format_datetime applies it, prepared once: a report of a
    # long history formats ten thousand times in one pattern.
    return _pattern_formatter(format, locale)(to_helsinki(moment))


def format_date(value, locale, format="short"):
    """Return a calendar day in ``locale``'s words; a stored time gives its Helsinki day."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = helsinki_date(value)
    return babel_dates.format_date(value, format, locale=_locale(locale))


# Babel's named widths of a date and time; any other format is a CLDR pattern.
_WIDTHS = ("full", "long", "medium", "short")


# The pattern fields read straight from the time (Babel's DateTimeFormat: a number
# zero-padded to the field's width); a pattern with any other field is applied by Babel.
_NUMBERS = {
    "d": lambda moment: moment.day,
    "H": lambda moment: moment.hour,
    "h": lambda moment: moment.hour % 12 or 12,
    "K": lambda moment: moment.hour % 12,
    "k": lambda moment: moment.hour or 24,
    "m": lambda moment: moment.minute,
    "s": lambda moment: moment.second,
    "y": lambda moment: moment.year,
}
_MONTH_WIDTHS = {3: "abbreviated", 4: "wide", 5: "narrow"}
_FIELD = re.compile(r"%\((\w+)\)s")


def _field_reader(name, locale):
    """Return ``reader(moment) -> text`` of the pattern field ``name`` ("d", "MMMM", "yy"
    …), as Babel writes it, or None for a field Babel must write."""
    char, width = name[0], len(name)
    if char in _NUMBERS:
        number = _NUMBERS[char]
        if char == "y" and width == 2:  # the year's last two digits
            return lambda moment: "%02d" % (number(moment) % 100)
        return lambda moment: "%0*d" % (width, number(moment))
    if char == "M" and width <= 2:
        return lambda moment: "%0*d" % (width, moment.month)
    if char == "M" and width in _MONTH_WIDTHS:
        names = babel_dates.get_month_names(_MONTH_WIDTHS[width], "format", locale)
        return lambda moment: names[moment.month]
    return None


@functools.lru_cache(maxsize=64)
def _pattern_formatter(format, locale):
    """Return ``write(aware time) -> text`` of the CLDR pattern ``format`` in ``locale``:
    Babel's own parse of the pattern, its fields read straight from the time when they
    are numbers and month names (as Babel reads them, without a formatter object for
    each time), otherwise Babel's ``apply``."""
    pattern = babel_dates.parse_pattern(format)
    parsed = _locale(locale)
    readers = {}
    for name in set(_FIELD.findall(pattern.format)):
        reader = _field_reader(name, parsed)
        if reader is None:
            return functools.partial(pattern.apply, locale=parsed)
        readers[name] = reader
    text = pattern.format
    return lambda moment: text % {name: read(moment) for name, read in readers.items()}


@functools.lru_cache(maxsize=None)
def _locale(name):
    """Return Babel's locale ``name``, parsed once (a list page formats dozens of cells)."""
    return Locale.parse(name)


def wall_time(moment):
    """Return a stored time as naive Helsinki wall time to the second (an XLSX time cell)."""
    return to_helsinki(moment).replace(tzinfo=None, microsecond=0)


def export_datetime(moment):
    """Return a stored time for a CSV cell: Helsinki time, ``2026-10-25 03:30``.

    The same in every language, sortable as text, and what a spreadsheet reads as a time.
    """
    if moment is None:
        return ""
    if not isinstance(moment, datetime.datetime):
        return moment.isoformat()
    return f"{wall_time(moment):%Y-%m-%d %H:%M}"

"""When each periodic duty of the seed was last done and when it is next due.

| duty | last done | cadence |
|---|---|---|
| ``access_review`` | the last access review (services.access) | a year |
| ``purge_review`` | the last confirmed purge | the setting ``purge_cadence`` |
| ``restore_drill`` | the last restore drill (the backups' drill log) | DRILL_MONTHS |
| ``guidance_review`` | the last published guidance version | GUIDANCE_MONTHS |
| ``training`` | the last training session | the setting ``training_valid`` |

A duty never done runs from the register's start (its first account). All dates are
Helsinki days; a duty is ``soon`` from SOON_DAYS before its due day, ``overdue`` after it.
"""

import dataclasses
import datetime

import peewee as pw

from models import GuidanceVersion, PurgeRun, TrainingSession, User
from services import access
from services.duties.dates import add_months
from services.duties.settings import PURGE_CADENCE, TRAINING_VALID, months
from services.localtime import helsinki_date, helsinki_today

DUTIES = ("access_review", "purge_review", "restore_drill", "guidance_review", "training")
SOON_DAYS = 30
DRILL_MONTHS = 6
GUIDANCE_MONTHS = 12
LOGGED_STATES = ("confirmed", "running", "finished")


@dataclasses.dataclass(frozen=True)
class Duty:
    """A periodic duty: ``code`` (DUTIES), the Helsinki day it was last done (or None),
    the day it is next due (None: the register has no accounts yet), and its state."""

    code: str
    last_done: datetime.date | None
    due_on: datetime.date | None
    state: str  # ok, soon, overdue or none
    days_left: int | None = None

    @property
    def remind(self):
        return self.state in ("soon", "overdue")


def _day(moment):
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands an aggregate back as text
        moment = datetime.datetime.fromisoformat(moment)
    if isinstance(moment, datetime.datetime):
        return helsinki_date(moment)
    return moment


def register_start():
    """Return the Helsinki day of the first account's creation, or None."""
    return _day(User.select(pw.fn.MIN(User.created_at)).scalar())


def due(code, last_done, cadence_months, now=None, start=None):
    """Return the :class:`Duty` done last on ``last_done`` and due ``cadence_months`` later."""
    since = last_done or (start if start is not None else register_start())
    if since is None:
        return Duty(code, None, None, "none")
    due_on = add_months(since, cadence_months)
    days_left = (due_on - helsinki_today(now)).days
    state = "overdue" if days_left < 0 else "soon" if days_left <= SOON_DAYS else "ok"
    return Duty(code, last_done, due_on, state, days_left)


def purge_runs_confirmed():
    """Return the Helsinki days the purges of the log were confirmed on, oldest first."""
    query = (PurgeRun.select(PurgeRun.confirmed_at)
             .where(PurgeRun.kind == "purge", PurgeRun.state.in_(LOGGED_STATES),
                    PurgeRun.confirmed_at.is_null(False))
             .order_by(PurgeRun.confirmed_at))
    return [_day(run.confirmed_at) for run in query]


def purge_review(now=None):
    """Return the purge review's :class:`Duty`."""
    days = purge_runs_confirmed()
    return due("purge_review", days[-1] if days else None, months(PURGE_CADENCE), now)


def cadence_kept(runs):
    """Return ``{run id: True/False}``: whether each purge of ``runs`` was confirmed within
    the cadence of the one before it (the first: of the register's start). Erasures on
    request are not purges: they are left out."""
    cadence = months(PURGE_CADENCE)
    start = register_start()
    confirmed = sorted((run.confirmed_at, run.id) for run in runs
                       if run.kind == "purge" and run.confirmed_at is not None)
    kept, previous = {}, start
    for moment, run_id in confirmed:
        day = _day(moment)
        kept[run_id] = previous is None or day <= add_months(previous, cadence)
        previous = day
    return kept


def duties(now=None, last_drill=None):
    """Return every periodic duty (DUTIES order); ``last_drill`` is the naive UTC moment of
    the last restore drill (read from the backups' drill log by the caller), or None."""
    start = register_start()
    review = access.review_status(now)
    last_review = review.last_review.reviewed_at if review.last_review else None
    guidance = GuidanceVersion.select(pw.fn.MAX(GuidanceVersion.published_at)).scalar()
    training = TrainingSession.select(pw.fn.MAX(TrainingSession.held_on)).scalar()
    return [
        due("access_review", _day(last_review), 12, now, start),
        due("purge_review", (purge_runs_confirmed() or [None])[-1], months(PURGE_CADENCE),
            now, start),
        due("restore_drill", _day(last_drill), DRILL_MONTHS, now, start),
        due("guidance_review", _day(guidance), GUIDANCE_MONTHS, now, start),
        due("training", _day(training), months(TRAINING_VALID), now, start),
    ]

"""Duties that come due (issue 17; seed §3, §11, §12, §18): the periodic duties with their
last done and next due days (``schedule``), the settings of their cadence (``settings``)
and the training records (``training``). No Flask here."""

from services import policy
from services.duties.schedule import (
    DUTIES,
    DRILL_MONTHS,
    GUIDANCE_MONTHS,
    SOON_DAYS,
    Duty,
    cadence_kept,
    due,
    duties,
    purge_review,
)
from services.duties.settings import (
    MAX_MONTHS,
    MIN_MONTHS,
    PURGE_CADENCE,
    TRAINING_VALID,
    may_set,
    months,
    parse_months,
    set_months,
)
from services.duties.training import (
    TrainingError,
    last_training,
    may_record,
    record_session,
    sessions,
    training_cutoff,
    untrained,
)


def may_see(user):
    """Tell whether ``user`` sees the duties page (the controller, the responsible person)."""

    return policy.may(user, "see_duties")


__all__ = [
    "DUTIES", "DRILL_MONTHS", "GUIDANCE_MONTHS", "SOON_DAYS", "Duty", "cadence_kept", "due",
    "duties", "purge_review", "MAX_MONTHS", "MIN_MONTHS", "PURGE_CADENCE", "TRAINING_VALID",
    "may_set", "months", "parse_months", "set_months", "TrainingError", "last_training",
    "may_record", "record_session", "sessions", "training_cutoff", "untrained", "may_see",
]

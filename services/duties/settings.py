"""The months of the periodic duties that can be set: the purge review's cadence (the
controller, with the retention settings) and how long a training counts (the responsible
person). A setting nobody has saved has its default."""

import database
from models import DutySetting, utcnow
from services import audit, policy
from services.errors import N_, RegisterError
from services.inputs import whole_number
from services.policy import NotAllowed

PURGE_CADENCE, TRAINING_VALID = "purge_cadence", "training_valid"
# {setting: (default months, the capability that changes it)}
SETTINGS = {
    PURGE_CADENCE: (12, "decide_retention"),
    TRAINING_VALID: (12, "record_training"),
}
MIN_MONTHS, MAX_MONTHS = 1, 60
AUDIT_OBJECT_TYPE = "duty_setting"


def months(name):
    """Return the months of the setting ``name`` (its default when none is saved)."""
    row = DutySetting.get_or_none(DutySetting.name == name)
    return row.months if row is not None else SETTINGS[name][0]


def parse_months(value):
    """Return ``value`` as whole months from MIN_MONTHS to MAX_MONTHS, or raise."""
    number = whole_number(value, MIN_MONTHS, MAX_MONTHS)
    if number is None:
        raise RegisterError(N_("Give the months as a whole number from %(low)s to %(high)s."),
                            low=MIN_MONTHS, high=MAX_MONTHS)
    return number


def may_set(user, name):
    """Tell whether ``user`` may change the setting ``name``."""
    return policy.may(user, SETTINGS[name][1])


def set_months(name, value, actor):
    """Save the setting ``name`` as ``value`` months (audited); True when it changed."""
    if not may_set(actor, name):
        raise NotAllowed(N_("Your role does not allow changing this setting."))
    number = parse_months(value)
    with database.write_transaction():
        row = DutySetting.get_or_none(DutySetting.name == name)
        if row is not None and row.months == number:
            return False
        if row is None:
            DutySetting.create(name=name, months=number, changed_by=actor.id,
                               changed_at=utcnow())
        else:
            DutySetting.update(months=number, changed_by=actor.id, changed_at=utcnow()).where(
                DutySetting.id == row.id).execute()
        audit.record("update", actor, object_type=AUDIT_OBJECT_TYPE, object_id=name,
                     fields=["months"])
    return True

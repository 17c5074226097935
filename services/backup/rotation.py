"""Rotation: which backups the policy keeps, and when the data they hold is gone."""

import calendar
import datetime
import logging

from models import utcnow
from services.backup.files import backup_running, directory_lock, ensure_directory, fsync
from services.backup.manifest import dated_ahead, list_backups
from services.backup.offsite import offsite_settings, remove_copy
from services.localtime import HELSINKI, helsinki_date

log = logging.getLogger("register.backup")


def plan_rotation(backups, settings, now=None):
    """Return ``(keep, remove)``: the backups the policy keeps and those it removes.

    Kept: the newest good backup of each of the last ``keep_daily`` days, ``keep_weekly``
    ISO weeks and ``keep_monthly`` months (Helsinki calendar, counted back from ``now``),
    and always the newest good backup (one dated ahead of ``now`` only while no other is
    good). A failed backup goes once a newer good one exists (one dated ahead of ``now``,
    once any is good).
    """
    now = now or utcnow()
    good = sorted((b for b in backups if b.good), key=lambda b: b.created_at, reverse=True)
    # The newest good backup not dated ahead (CLOCK_AHEAD): one dated ahead is kept only
    # while no other is good, and goes once a backup is taken at the right time.
    newest = [b for b in good if not dated_ahead(b.created_at, now)][:1] or good[:1]
    kept = {b.name for b in newest}
    today = helsinki_date(now)
    for count, period in ((settings.keep_daily, _day), (settings.keep_weekly, _week),
                          (settings.keep_monthly, _month)):
        window = set(_last_periods(today, period, count))
        seen = set()
        for backup in good:
            key = period(helsinki_date(backup.created_at))
            if key in window and key not in seen:
                seen.add(key)
                kept.add(backup.name)
    newest_good_at = newest[0].created_at if newest else None
    keep, remove = [], []
    for backup in backups:
        if backup.name in kept or (not backup.good and _failed_kept(backup, newest_good_at,
                                                                    now)):
            keep.append(backup)
        else:
            remove.append(backup)
    return keep, remove


def _failed_kept(backup, newest_good_at, now):
    """Tell whether the failed ``backup`` stays (for a look): while no good backup is newer,
    and, once one is good, only when it is not dated ahead of ``now``."""
    if newest_good_at is None:
        return True
    return newest_good_at < backup.created_at and not dated_ahead(backup.created_at, now)


def rotate(settings, now=None):
    """Remove the backups the rotation policy no longer keeps; return their names."""
    directory = ensure_directory(settings.directory)
    with directory_lock(directory, exclusive=True, wait=60):
        return rotate_locked(settings, now)


def rotate_locked(settings, now):
    _keep, remove = plan_rotation(list_backups(settings), settings, now)
    for backup in remove:
        backup.path.unlink(missing_ok=True)
        backup.manifest_path.unlink(missing_ok=True)
        log.info("backup %s rotated out", backup.name)
    if remove:
        fsync(settings.directory)
    offsite = offsite_settings(settings)
    if offsite is not None and offsite.directory.is_dir():
        # The same policy over the copies there (some may have no local backup left).
        _keep, remove_there = plan_rotation(list_backups(offsite), settings, now)
        for backup in remove_there:
            remove_copy(backup)
            log.info("off-site copy of backup %s rotated out", backup.name)
    return [b.name for b in remove]


def backups_expire_by(settings, now=None):
    """Return when every backup that exists now will have rotated out (naive UTC).

    Each backup leaves at the first rotation after the longest period of the policy that
    can keep it has passed (its day + keep_daily days, its week + keep_weekly weeks, its
    month + keep_monthly months, in Helsinki time); rotations run after each backup, one
    interval apart, so none is gone before ``now`` + one interval. A backup being taken
    right now counts as taken now. It assumes that backups go on being taken: the newest
    good backup is never removed. None when there are no backups.
    """
    now = now or utcnow()
    moments = [b.created_at for b in list_backups(settings)]
    if backup_running(settings):
        moments.append(now)
    if not moments:
        return None
    # A backup past its periods is still here: the next rotation, an interval away at most,
    # removes it.
    return max(max(_expires(moment, settings) for moment in moments), now + settings.interval)


def backups_holding_expire_by(settings, moment):
    """Return when the last backup taken before ``moment`` that exists now rotates out
    (naive UTC), or None when no such backup is left: what still holds data deleted at
    ``moment`` (the purge log says it)."""
    older = [b.created_at for b in list_backups(settings) if b.created_at <= moment]
    if not older:
        return None
    return max(_expires(created_at, settings) for created_at in older)


def _expires(created_at, settings):
    day = helsinki_date(created_at)
    ends = [created_at]
    if settings.keep_daily:
        ends.append(_utc_midnight(day + datetime.timedelta(days=settings.keep_daily)))
    if settings.keep_weekly:
        ends.append(_utc_midnight(_week(day) + datetime.timedelta(weeks=settings.keep_weekly)))
    if settings.keep_monthly:
        ends.append(_utc_midnight(_add_months(day.replace(day=1), settings.keep_monthly)))
    return max(ends) + settings.interval


def _day(day):
    return day


def _week(day):
    return day - datetime.timedelta(days=day.weekday())


def _month(day):
    return day.replace(day=1)


def _last_periods(today, period, count):
    """Return the keys of the last ``count`` periods up to and including today's."""
    keys, key = [], period(today)
    for _ in range(count):
        keys.append(key)
        key = period(key - datetime.timedelta(days=1))
    return keys


def _add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _utc_midnight(day):
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=HELSINKI)
    return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)

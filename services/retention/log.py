"""Reading the purge log: the runs and their counts."""

import json

from models import PurgeRun


def counts_of(run, which="done"):
    """Return a run's planned or done counts: ``{code: {action: {category: n}, …}}``."""
    return json.loads(getattr(run, which) or "{}")


def logged_runs(limit=100):
    """Return the runs of the purge log, newest first: every confirmed purge and erasure."""
    return list(PurgeRun.select().where(PurgeRun.state.in_(("confirmed", "running", "finished")))
                .order_by(PurgeRun.id.desc()).limit(limit))

"""Merging two customers of one section (issue 15): the fields offered side by side
(``fields``) and the merge itself, one transaction (``merging``)."""

from services.merge.fields import MERGED, SURVIVOR, Choice, choices, single_rows
from services.merge.merging import merge, refusal
from services.retention.holding import Held

__all__ = ["MERGED", "SURVIVOR", "Choice", "Held", "choices", "merge", "refusal",
           "single_rows"]

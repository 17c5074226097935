"""Merging two customers of one section (issue 15): the fields offered side by side
(``fields``) and the merge itself, one transaction (``merging``)."""

from services.merge.fields import MERGED, SURVIVOR, Choice, choices, single_rows
from services.merge.merging import MergeHeld, merge, refusal

__all__ = ["MERGED", "SURVIVOR", "Choice", "MergeHeld", "choices", "merge", "refusal",
           "single_rows"]

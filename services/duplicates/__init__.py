"""Duplicate customers: the check of one new customer against its section, and the
possible duplicates already in a section's register (issue 15).

``find_duplicates(section_id, values, exclude_id=None, limit=10)`` returns ``Match``
(customer_id, reason, score) rows, strongest first; ``reason`` is one of
``DUPLICATE_REASONS`` (labels: services/vocabulary/customers.py DUPLICATE_REASON_LABELS).
``possible_pairs(section_id, reason, page)`` pages the pairs already in the register;
``update_matched`` updates a matched customer instead of creating a new one.
Sections are separate registers: only customers of the same section are compared.
"""

from services.duplicates.matching import (
    CHECKED_FIELDS,
    DUPLICATE_REASONS,
    Match,
    find_duplicates,
)
from services.duplicates.normalise import (
    SIMILAR_NAME_THRESHOLD,
    name_similarity,
    normalise_business_id,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from services.duplicates.pairs import PAGE_SIZE, Pair, possible_pairs
from services.duplicates.updating import OVERWRITABLE, update_matched, update_problem

__all__ = ["CHECKED_FIELDS", "DUPLICATE_REASONS", "OVERWRITABLE", "PAGE_SIZE", "Match", "Pair",
           "SIMILAR_NAME_THRESHOLD", "find_duplicates", "name_similarity",
           "normalise_business_id", "normalise_email", "normalise_name", "normalise_phone",
           "possible_pairs", "update_matched", "update_problem"]

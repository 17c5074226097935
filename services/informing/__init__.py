"""Informing at registration (seed §13): the rule of the informing record
(``rules``), the customers not yet informed and recording several at once (``records``),
and the short informing notice in the customer's language (``notice``)."""

from services.informing.notice import NOTICE_LANGUAGES, NOTICE_TEXTS, notice, notice_language
from services.informing.records import (
    MAX_BULK,
    front_page_counts,
    informed,
    not_informed,
    not_informed_counts,
    parse_ids,
    record_informing,
)
from services.informing.rules import (
    AT,
    HOW,
    NOT_REACHABLE,
    REASON,
    RECORD_FIELDS,
    informing_problems,
    is_recorded,
    message,
    record_values,
)

__all__ = [
    "AT", "HOW", "MAX_BULK", "NOTICE_LANGUAGES", "NOTICE_TEXTS", "NOT_REACHABLE", "REASON",
    "RECORD_FIELDS", "front_page_counts", "informed", "informing_problems", "is_recorded",
    "message", "not_informed", "not_informed_counts", "notice", "notice_language",
    "parse_ids", "record_informing", "record_values",
]

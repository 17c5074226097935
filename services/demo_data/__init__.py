"""Realistic, made-up Finnish customers for demonstrations and load tests.

Everything follows from the seed: the same seed gives the same rows, timestamps
included, because every date is counted back from ``REFERENCE`` (never the wall clock)
with one ``random.Random(seed)``. Faker (``fi_FI`` and a few other locales) fills pools of
names, streets, cities and professions once; the rows then pick from the pools, which is
what makes 100 000 customers a matter of seconds. Ids are assigned here, after the largest
id already in each table, so a second run appends and the child rows need no read-back.

No henkilötunnus is ever generated (Faker's ``ssn()`` is not called); every pooled value
and text template is checked with :func:`services.hetu.contains_hetu` all the same.

The parts: ``vocabulary`` (weights and words), ``pools`` (Faker's pools and the building
blocks), ``generator`` (one customer and its rows), ``writer`` (``generate``: the rows
written in chunks). Import them from here: ``from services import demo_data``.
"""

from services.demo_data.generator import DAY, REFERENCE, REFERENCE_DAY, YEAR, Generator
from services.demo_data.pools import Pools, ascii_slug, business_id, genitive
from services.demo_data.vocabulary import (
    ALL_SERVICES,
    CHANNEL_WEIGHTS,
    INFORMED_WEIGHTS,
    KIND_WEIGHTS,
    LANGUAGE_WEIGHTS,
    SERVICES,
    SUMMARIES,
)
from services.bulk import MAX_PARAMETERS
from services.demo_data.writer import CHUNK, COUNT_NAMES, FIELDS, generate

__all__ = [
    "ALL_SERVICES", "CHANNEL_WEIGHTS", "CHUNK", "COUNT_NAMES", "DAY", "FIELDS",
    "INFORMED_WEIGHTS", "KIND_WEIGHTS", "LANGUAGE_WEIGHTS", "MAX_PARAMETERS", "REFERENCE",
    "REFERENCE_DAY", "SERVICES", "SUMMARIES", "YEAR", "Generator", "Pools", "ascii_slug",
    "business_id", "genitive", "generate",
]

"""Seed the two register sections of the register description (seed §1, §6).

Each section lists the data categories it holds; "not every section holds every data
category" (seed §6): tourism keeps billing, business development keeps demographics.
"""

import peewee as pw
from peewee_migrate import Migrator

SECTIONS = (
    (
        "tourism",
        "Matkailu- ja kongressitoimisto",
        "Turist- och kongressbyrån",
        "Tourism and Convention Bureau",
        "identity birth_or_business_id address phone fax email language own_info"
        " history contact_persons billing",
    ),
    (
        "business",
        "Elinkeinokehitys",
        "Näringslivsutveckling",
        "Business Development",
        "identity birth_or_business_id address demographics phone fax email language"
        " own_info history contact_persons",
    ),
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Insert the sections."""
    for row in SECTIONS:
        migrator.sql(
            "INSERT INTO section (code, name_fi, name_sv, name_en, categories)"
            " VALUES (%s, %s, %s, %s, %s)".replace("%s", database.param),
            *row,
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove the seeded sections."""
    for row in SECTIONS:
        migrator.sql(
            "DELETE FROM section WHERE code = %s".replace("%s", database.param), row[0]
        )

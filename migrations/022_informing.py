"""Informing at registration (seed §13): the codes of the issue, the reason when the person
could not be reached, and the same record for a contact person.

The earlier codes are mapped so that existing rows keep their meaning:

- ``letter`` → ``post`` (the notice was sent by post);
- ``form`` and ``web`` → ``web_form`` (the privacy notice's link at a web form: both meant
  a form the person filled in, on paper or on the web, carrying the notice);
- ``phone`` → ``in_person`` (told directly to the person, who could ask at once: the
  nearest of the new codes; the register never sent a notice by phone);
- ``in_person`` and ``email`` stay.

A customer or contact person without a record stays without one ("not yet informed"); a
partial index keeps the customers not yet informed per section, for the front page's count
(``services.informing.records.not_informed``: the same condition, word for word).
Rolling back maps the codes back (``post`` → ``letter``, ``web_form`` → ``form``); a
``not_reachable`` record has no earlier code and is emptied.
"""

import peewee as pw
from peewee_migrate import Migrator

FORWARD = {"letter": "post", "form": "web_form", "web": "web_form", "phone": "in_person"}
BACKWARD = {"post": "letter", "web_form": "form"}


def _remap(migrator, database, mapping):
    for old, new in mapping.items():
        migrator.sql("UPDATE customer SET informed_how = %s WHERE informed_how = %s"
                     .replace("%s", database.param), new, old)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the reason and the contact person's record; map the earlier codes."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    kind = "DATETIME" if sqlite else "TIMESTAMP"
    migrator.sql("ALTER TABLE customer ADD COLUMN not_reachable_reason VARCHAR(500)")
    migrator.sql(f"ALTER TABLE contact_person ADD COLUMN informed_at {kind}")
    migrator.sql("ALTER TABLE contact_person ADD COLUMN informed_how VARCHAR(16)")
    migrator.sql("ALTER TABLE contact_person ADD COLUMN not_reachable_reason VARCHAR(500)")
    _remap(migrator, database, FORWARD)
    migrator.sql("CREATE INDEX customer_not_informed ON customer (section_id)"
                 " WHERE informed_how IS NULL OR informed_at IS NULL")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Map the codes back and drop the index and the columns."""
    migrator.sql("DROP INDEX customer_not_informed")
    migrator.sql("UPDATE customer SET informed_how = NULL, informed_at = NULL"
                 " WHERE informed_how = 'not_reachable'")
    _remap(migrator, database, BACKWARD)
    migrator.sql("ALTER TABLE contact_person DROP COLUMN not_reachable_reason")
    migrator.sql("ALTER TABLE contact_person DROP COLUMN informed_how")
    migrator.sql("ALTER TABLE contact_person DROP COLUMN informed_at")
    migrator.sql("ALTER TABLE customer DROP COLUMN not_reachable_reason")

"""The duplicate check of an imported row: the register's own
(``services.duplicates.find_duplicates``) against the section's customers, and the exact
keys (Y-tunnus, email) of the file's own rows, so that a file naming a customer twice is
caught too."""

from services.imports.mapping import ADDRESS_FIELDS

from services.duplicates import find_duplicates, normalise_business_id, normalise_email

# The report names one customer a row matches, the strongest (a row is created, updated
# or skipped once); with an exact match the likely ones are not even looked for.
LIMIT = 1


def matches_of(section_id, row):
    """Return ``[(customer id, reason)]`` of the section's customers the row matches."""
    values = dict(row["customer"])
    if row.get("address"):
        values.update({k: v for k, v in row["address"].items() if k in ADDRESS_FIELDS})
    return [(m.customer_id, m.reason) for m in find_duplicates(section_id, values,
                                                               limit=LIMIT)]


def file_keys(checked):
    """Return the exact keys of an accepted row: ``{("business_id" | "email", key)}``."""
    if checked.values is None or checked.refusals:
        return set()
    values = checked.values["customer"]
    keys = {("business_id", normalise_business_id(values.get("business_id"))),
            ("email", normalise_email(values.get("email")))}
    return {(reason, key) for reason, key in keys if key}

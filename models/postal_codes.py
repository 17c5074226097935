"""Finland's postal codes and their post offices (seed §7: the address check).

A reference table, not register data: loaded from ``data/postal_codes_fi.csv`` by
migration 020 and updated by ``flask --app app postal-codes update FILE``
(services/postal_codes/).
"""

import peewee as pw

from models.base import BaseModel


class PostalCode(BaseModel):
    """A postal code with its post office's name in Finnish and Swedish, as Posti lists it."""

    code = pw.CharField(max_length=5, primary_key=True)
    name_fi = pw.CharField(max_length=40)
    name_sv = pw.CharField(max_length=40)
    # The date of the file the row was read from (Posti's postal code file).
    dataset_date = pw.DateField()

"""The vocabularies (the code tuples), the database proxy, the clock and the base
model."""

import datetime

import peewee as pw


db = pw.DatabaseProxy()


def utcnow():
    """Return the current time as a naive UTC datetime (how every timestamp is stored).

    The register's one clock: every "now" in the code is this function, and every "today"
    is Helsinki's date of it (``services.localtime.helsinki_today``). The tests move it
    with time-machine (tests/conftest.py, README "Time").
    """
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# --- Vocabularies ------------------------------------------------------------------
# Codes are stored; what each is called on screen is in services/vocabulary/.

ROLES = ("controller", "responsible", "handler", "staff", "maintenance")

CUSTOMER_KINDS = ("person", "company", "organisation")
LANGUAGES = ("fi", "sv", "en", "other")
# How a person was informed of the registration (seed §13): the notice given in person,
# sent by email or by post, shown as the privacy notice's link at a web form, or not at
# all because the person could not be reached (with the reason). Migration 022 maps the
# earlier codes: letter → post, form and web → web_form, phone → in_person (told directly).
INFORMED_HOW = ("in_person", "email", "post", "web_form", "not_reachable")
ADDRESS_KINDS = ("postal", "visiting", "billing")
DIRECTIONS = ("in", "out")
CHANNELS = ("phone", "email", "meeting", "letter", "event", "web", "other")
COLLECTION_STATES = ("open", "paid", "reminded", "in_collection", "written_off")
# Where a customer's, a contact person's or an address's data came from (seed §7; GDPR
# Art. 14(2)(f)): the person or company itself, Posti's address service, the population
# information system (DVV), the trade register, an import file, or another (with a note).
DATA_SOURCES = ("customer", "posti", "dvv", "trade_register", "import_file", "other")

# Data subject rights (seed §14–§16).
REQUEST_CHANNELS = ("in_person", "written", "oral_on_site")
IDENTITY_METHODS = ("id_card", "passport", "driving_licence", "known_in_person",
                    "strong_electronic", "other")
DECISIONS = ("approved", "refused")
DELIVERY_METHODS = ("handed_over", "post", "secure_email")
VERIFICATION_SOURCES = ("population_register", "trade_register", "own_document", "other")
PROHIBITION_PURPOSES = ("direct_marketing", "market_research", "opinion_research")
PROHIBITION_ACTIONS = ("given", "withdrawn")
PROHIBITION_SOURCES = ("own_word", "letter", "email", "form")

# The data categories of the register description (seed §6), in its order, plus
# ``record``: what the register itself notes about an entry (ids, timestamps, when the
# person was informed). ``record`` belongs to every section.
CATEGORIES = (
    "identity",
    "birth_or_business_id",
    "address",
    "demographics",
    "phone",
    "fax",
    "email",
    "language",
    "own_info",
    "history",
    "contact_persons",
    "billing",
    "record",
)


def choices(codes):
    """Return ``(code, code)`` pairs for a peewee field's ``choices``."""
    return [(code, code) for code in codes]


class PhoneField(pw.CharField):
    """A phone number, stored as E.164 (``+358403806251``); the pages show it grouped
    (services/phones.py). The column is a plain character column."""


class KeptColumnsSelect(pw.ModelSelect):
    """A model's whole row selected (``Model.select()`` with no fields): the list of its
    columns is written once per model, table alias and quoting, and then copied.

    peewee writes a column as nodes (the table's alias, a dot, the quoted name), about
    15 µs each: a customer's 27 columns took 0.4 ms to write for every query, more than
    the query itself, and a customer's page reads ten such rows. Only the columns' text
    is kept (no value is in it); anything but a whole row of the query's own model at its
    top level (a subquery selects its key alone) is written by peewee as before.
    ``tests/test_kept_columns.py`` compares the SQL of both for every model.
    """

    _kept = {}  # (model, its column count, alias, quote characters) → the columns' SQL

    def __sql_selection__(self, ctx, is_subquery=False):
        if not self._is_default or is_subquery:
            return super().__sql_selection__(ctx, is_subquery)
        table = self.model._meta.table
        if table._alias:
            ctx.alias_manager[table] = table._alias
        key = (self.model, len(self._returning), ctx.alias_manager[table], ctx.state.quote)
        text = self._kept.get(key)
        if text is not None:
            return ctx.literal(text)
        start, values = len(ctx._sql), len(ctx._values)
        super().__sql_selection__(ctx, is_subquery)
        if len(ctx._values) == values:  # nothing but names: the same text every time
            self._kept[key] = "".join(ctx._sql[start:])
        return ctx


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def select(cls, *fields):
        if fields:
            return super().select(*fields)
        return KeptColumnsSelect(cls, cls._meta.sorted_fields, is_default=True)

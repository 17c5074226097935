"""The vocabularies (the code tuples), the database proxy, the clock and the base
model."""

import datetime

import peewee as pw

from models.kept_sql import NotPlain, shape


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
    """A select of model fields whose list of columns is written once per fields, table
    aliases and quoting, and then copied.

    peewee writes a column as nodes (the table's alias, a dot, the quoted name), about
    15 µs each: a customer's 27 columns took 0.4 ms to write for every query, more than
    the query itself, and a customer's page reads ten such rows. Only the columns' text
    is kept (no value is in it). A selection of anything but plain fields (an expression,
    a function, an alias, a field of a model alias) and a whole row as a subquery (which
    selects its key alone) are written by peewee as before. ``tests/test_kept_columns.py``
    compares the SQL of both for every model.
    """

    _kept = {}  # key → the columns' SQL
    MAX_KEPT = 4096
    _statements = {}  # (shape, parameter mark, quotes) → its SQL (models/kept_sql.py)
    # Every statement of a kept shape also written by peewee and compared (the tests).
    VERIFY = False

    def __sql__(self, ctx):
        state = ctx.state
        if (ctx._sql or ctx.scope != pw.SCOPE_NORMAL or state.value_literals
                or state.parentheses or state.subquery or state.in_expr
                or state.in_function or state.in_projection or state.converter):
            return super().__sql__(ctx)  # part of another statement: as peewee writes it
        try:
            found, values = shape(self)
        except NotPlain:
            return super().__sql__(ctx)
        key = (found, ctx.state.param, ctx.state.quote)
        text = self._statements.get(key)
        if text is None or self.VERIFY:
            super().__sql__(ctx)
            written = "".join(ctx._sql)
            if ctx._values != values or text not in (None, written):
                if self.VERIFY:
                    raise AssertionError(f"a kept statement differs from peewee's: {written} "
                                         f"{ctx._values}, kept {text} {values}")
                return ctx  # not kept: peewee writes this shape every time
            if len(self._statements) >= self.MAX_KEPT:
                self._statements.clear()
            self._statements[key] = written
            return ctx
        ctx._sql.append(text)
        ctx._values.extend(values)
        return ctx

    def __sql_selection__(self, ctx, is_subquery=False):
        if self._is_default and is_subquery:
            return super().__sql_selection__(ctx, is_subquery)
        key = self._kept_key(ctx)
        if key is None:
            return super().__sql_selection__(ctx, is_subquery)
        text = self._kept.get(key)
        if text is not None:
            return ctx.literal(text)
        start, values = len(ctx._sql), len(ctx._values)
        super().__sql_selection__(ctx, is_subquery)
        if len(ctx._values) == values:  # nothing but names: the same text every time
            if len(self._kept) >= self.MAX_KEPT:
                self._kept.clear()
            self._kept[key] = "".join(ctx._sql[start:])
        return ctx

    def _kept_key(self, ctx):
        """Return what the columns' text depends on, giving each table its alias in the
        order the columns would (peewee names a table as its first column is written);
        None when a column is anything but a plain field."""
        if self._is_default:  # the model's own fields, in their order
            table = self.model._meta.table
            return (self.model, len(self._returning), self._alias_of(ctx, table),
                    ctx.state.quote)
        fields, aliases = tuple(self._returning), []
        for field in fields:
            if not isinstance(field, pw.Field) or isinstance(field, pw.FieldAlias):
                return None
            aliases.append(self._alias_of(ctx, field.model._meta.table))
        return (fields, tuple(aliases), ctx.state.quote)

    @staticmethod
    def _alias_of(ctx, table):
        if table._alias:
            ctx.alias_manager[table] = table._alias
        return ctx.alias_manager[table]


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def select(cls, *fields):
        """``Model.select``, its columns written once (KeptColumnsSelect)."""
        return KeptColumnsSelect(cls, fields or cls._meta.sorted_fields, is_default=not fields)

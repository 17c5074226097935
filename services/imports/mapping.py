"""Which customer field each column of an import file goes to, and a row's cells turned
into what the customer form receives.

A column is mapped from its header in Finnish, Swedish or English (case, accents, spaces
and punctuation aside): the register's own labels of the fields in the three languages
(so that an export of the customer list maps by itself) and the usual synonyms of
spreadsheets. Choice columns (kind, language, how informed) take a code or its label in
any of the three languages.
"""

import datetime
import re
import unicodedata

from models import FIELD_CATEGORIES, Address, Customer
from services import hetu
from services.catalogs import translate
from services.errors import N_, RegisterError
from services.inputs import has_unstorable
from services.vocabulary import customers as labels
from services.vocabulary.imports import CHOICE_LABELS, HEADER_SYNONYMS, TARGETS

LANGUAGES = ("fi", "sv", "en")
# The fields of the customer's address row: the form's inline list, its first row.
ADDRESS_FIELDS = ("street", "postal_code", "city", "country")
ADDRESS_PREFIX = "addresses-0-"
# Columns that split into fields: the list's name ("Last, First" or the company's name)
# and its "Birth date or business ID".
SPLIT_TARGETS = ("display_name", "id_code")
BUSINESS_ID = re.compile(r"\d{7}-\d")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")

FIELD_TWICE = N_("The field %(field)s is chosen for two columns, %(first)s and %(second)s: "
                 "choose it for one column only.")
NO_OVERWRITE = N_("A match's choice updates the chosen fields, but no field is chosen: tick "
                  "the fields it overwrites, or choose another way for the matching rows.")
# At most this many columns in a file: the mapping page offers a choice for each (a file of
# a million columns made a page of a gigabyte).
MAX_COLUMNS = 500
TOO_MANY_COLUMNS = N_("The file has %(count)s columns; the register takes at most %(most)s. "
                      "Remove the columns that are not imported (empty ones at the end too), "
                      "save the file and upload it again.")
CONTROL_IN_HEADER = N_("The first row of the file holds a control character (an invisible "
                       "character such as an escape), which a column's name cannot hold: "
                       "remove it, save the file and upload it again.")
HETU_IN_HEADER = N_("The first row of the file holds a henkilötunnus (personal identity "
                    "code), which must not be stored in the register; the first row must "
                    "name the columns. Add a header row or remove the code, and upload the "
                    "file again.")


def fold(text):
    """Return ``text`` without case, accents, spaces or punctuation, for comparing."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(c for c in text if c.isalnum())


def _header_table():
    table = {}
    for target in TARGETS:
        label = labels.FIELD_LABELS.get(target)
        names = [translate(label, language) for language in LANGUAGES] if label else []
        for name in [*names, *HEADER_SYNONYMS.get(target, ())]:
            table.setdefault(fold(name), target)
    for target in TARGETS:  # the field's own name, where no header took it
        table.setdefault(fold(target), target)
    return table


def _category(name):
    model = Address if name in ADDRESS_FIELDS else Customer
    return FIELD_CATEGORIES[model][name]


def held_targets(categories):
    """Return the fields a column can go to in a section holding ``categories``: those of
    its data categories (the customer form of the section has no others)."""
    parts = {"display_name": ("first_name",), "id_code": ("business_id",)}
    return [target for target in TARGETS
            if all(_category(name) in categories for name in parts.get(target, (target,)))]


def auto_mapping(header, targets=None):
    """Return ``{column index: field}`` for the columns whose header names a field (of
    ``targets``, every one by default); each field is taken by its first column only."""
    table, mapping, taken = _header_table(), {}, set()
    allowed = set(TARGETS if targets is None else targets)
    for index, name in enumerate(header):
        target = table.get(fold(name))
        if target in allowed and target not in taken:
            mapping[index] = target
            taken.add(target)
    return mapping


def mapping_by_header(header, columns, targets=None):
    """Return ``{column index: field}`` from a saved mapping ``{header: field}`` (to the
    fields of ``targets``, every one by default); a header of several columns maps each
    to its own field of the list saved (services/imports/saved.py), or the first only."""
    allowed, mapping, taken = set(TARGETS if targets is None else targets), {}, set()
    seen = {}
    for index, name in enumerate(header):
        target = columns.get(name)
        nth = seen[name] = seen.get(name, -1) + 1
        if isinstance(target, list):
            target = target[nth] if nth < len(target) else None
        if target in allowed and target not in taken:
            mapping[index] = target
            taken.add(target)
    return mapping


def run_mapping(header, columns, options, targets=None):
    """Return ``{column index: field}`` of an import run: by the column indexes its
    options keep (two columns of one header, or none, each keep their own field), else by
    its ``{header: field}`` (runs made before the indexes were kept)."""
    kept = options.get("columns")
    if kept is None:
        return mapping_by_header(header, columns, targets)
    allowed = set(TARGETS if targets is None else targets)
    return {int(i): field for i, field in kept.items()
            if field in allowed and int(i) < len(header)}


def column_name(header, index):
    """Return how a column is named to the user: its header, else its number."""
    return header[index] if header[index].strip() else str(index + 1)


def check_mapping(header, mapping, options):
    """Refuse a mapping (``{column index: field}``) giving a field two columns, and a
    choice updating the chosen fields of a match when no field is chosen (``options``:
    the import's, ``duplicates`` and ``overwrite``)."""
    first = {}
    for index, target in sorted(mapping.items()):
        if target in first:
            raise RegisterError(FIELD_TWICE, field=str(TARGETS[target]),
                                first=column_name(header, first[target]),
                                second=column_name(header, index))
        first[target] = index
    if "update_chosen" in (options.get("duplicates") or {}).values() \
            and not options.get("overwrite"):
        raise RegisterError(NO_OVERWRITE)


def check_header(header):
    """Refuse a file whose first row holds a henkilötunnus or a control character: it is
    kept as the columns' names (the run's mapping, a saved mapping), so it must be a
    header a page can show."""
    if len(header) > MAX_COLUMNS:  # each a choice on the mapping page
        raise RegisterError(TOO_MANY_COLUMNS, count=len(header), most=MAX_COLUMNS)
    if hetu.refusal(*header):
        raise RegisterError(HETU_IN_HEADER)
    if any(has_unstorable(name) for name in header):
        raise RegisterError(CONTROL_IN_HEADER)


def _choice_table(name):
    table = {}
    for code, label in CHOICE_LABELS[name].items():
        for text in [code, *(translate(label, language) for language in LANGUAGES)]:
            table[fold(text)] = code
    return table


_CHOICES = {}


def choice_code(name, text):
    """Return the code of the choice ``text`` (a code or a label), or ``text`` itself."""
    if name not in _CHOICES:
        _CHOICES[name] = _choice_table(name)
    return _CHOICES[name].get(fold(text), text)


def iso_date(text):
    """Return a date written in a usual way as the form's ISO text; else ``text``."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def _split(target, text, values):
    if target == "id_code":
        key = "business_id" if BUSINESS_ID.fullmatch(text) else "birth_date"
        values[key] = text
    elif values.get("kind", "person") == "person" and "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        values.update(last_name=last, first_name=first)
    else:
        values["name"] = text


def _infer_kind(values):
    if values.get("business_id") or (values.get("name") and not (
            values.get("first_name") or values.get("last_name"))):
        return "company"
    return "person"


def row_values(cells, mapping):
    """Return ``{field: text}`` of a row's mapped, non-empty cells; ``mapping`` is
    ``{column index: field}``."""
    values = {}
    for index, target in sorted(mapping.items(), key=lambda item: item[1] != "kind"):
        text = cells[index] if index < len(cells) else ""
        if not text:
            continue
        if target in SPLIT_TARGETS:
            _split(target, text, values)
        elif target in CHOICE_LABELS:
            values[target] = choice_code(target, text)
        else:
            values[target] = text
    return values


def form_data(values, source_note, informing=None):
    """Return the customer form's data (``{form field: text}``) of a row's ``values``,
    with the file as the source of the data and, where the row has none, the informing
    ``{"informed_how": …, "informed_at": …}`` chosen for the whole file."""
    data = {"kind": values.get("kind") or _infer_kind(values),
            "data_source": "import_file", "data_source_note": source_note}
    for name, text in values.items():
        if name == "birth_date":
            text = iso_date(text)
        if name in ADDRESS_FIELDS:
            data[ADDRESS_PREFIX + name] = text
        elif name != "kind":
            data[name] = text
    if not values.get("informed_how"):
        for name, text in (informing or {}).items():
            if text and not values.get(name):
                data[name] = text
    if any(key.startswith(ADDRESS_PREFIX) for key in data):
        data.setdefault(ADDRESS_PREFIX + "kind", "postal")
        data.setdefault(ADDRESS_PREFIX + "country", "FI")
        data[ADDRESS_PREFIX + "data_source"] = "import_file"
        data[ADDRESS_PREFIX + "data_source_note"] = source_note
    return data


def form_key(target):
    """Return the form field a mapped ``target`` fills (the address's inline row's)."""
    return ADDRESS_PREFIX + target if target in ADDRESS_FIELDS else target

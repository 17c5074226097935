"""One row of an import file checked: the guards over every cell, mapped or not (no
henkilötunnus, no control character, no cell beyond the header's columns), the customer
form's own validation of the mapped cells, and the duplicate check.

The form is the customer screen's (one set of rules); the application hands it in as
``validate_row(form data) -> (values, errors)`` where ``values`` is
``{"customer": {field: value}, "address": {field: value} | None}`` and ``errors`` a list
of ``(form field, label, message)``. Services do not build forms.
"""

import dataclasses
import json

from services import hetu
from services.errors import N_
from services.imports.mapping import column_name, form_data, form_key, row_values
from services.inputs import has_unstorable
from services.imports.duplicates import matches_of

HETU_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in the "
                  "register: remove it from the column %(column)s.")
# A control character breaks the search and the XLSX exports; a request holding one is
# refused whole (services/inputs.py), and so is a row of a file.
CONTROL_MESSAGE = N_("The column %(column)s holds a control character (an invisible "
                     "character such as an escape or a vertical tab), which the register "
                     "cannot store: remove it from the cell and import the row again.")
# A cell beyond the header's columns is mapped to nothing: most often a delimiter or a
# quotation mark astray in the row, which would otherwise lose the cell without a word.
EXTRA_CELL_MESSAGE = N_("The row has more cells than the header row names columns: the cell "
                        "in column %(column)s has no header and would be lost. Check the "
                        "row's delimiters and quotation marks, or name the column in the "
                        "header row, and import the row again.")
# What no cell may hold, mapped or not, and what is said of it.
CELL_GUARDS = ((HETU_MESSAGE, hetu.refusal), (CONTROL_MESSAGE, has_unstorable))
SPLITS = {"display_name": ("first_name", "last_name", "name"),
          "id_code": ("business_id", "birth_date")}


@dataclasses.dataclass
class ImportJob:
    """What an import reads and how: the file, its columns' mapping, the options."""

    section: object  # models.Section
    user: object  # models.User or None (the command line without --user)
    path: str
    file_name: str
    file_hash: str
    header: list
    mapping: dict  # {column index: field}
    validate_row: object  # callable(form data) -> (values, errors)
    duplicates: dict = dataclasses.field(default_factory=lambda: {"*": "skip"})
    informing: dict = dataclasses.field(default_factory=dict)
    # One row's own choice over its kind's ({row number: choice}), and the fields the
    # choice "update_chosen" overwrites on the matched customer.
    row_choices: dict = dataclasses.field(default_factory=dict)
    overwrite: list = dataclasses.field(default_factory=list)

    def mapping_json(self):
        return json.dumps({self.header[i]: field for i, field in self.mapping.items()},
                          ensure_ascii=False, sort_keys=True)

    def options_json(self):
        options = {"duplicates": self.duplicates, "informing": self.informing}
        if self.row_choices:
            options["row_choices"] = {str(n): c for n, c in sorted(self.row_choices.items())}
        if self.overwrite:
            options["overwrite"] = sorted(self.overwrite)
        return json.dumps(options, sort_keys=True)

    def choice_for(self, reason, number=None):
        """Return what a row matching a customer for ``reason`` does: the row's own choice
        (``number``), else its kind's, else the file's."""
        if number is not None and number in self.row_choices:
            return self.row_choices[number]
        return self.duplicates.get(reason, self.duplicates.get("*", "skip"))

    def source_note(self):
        """Return the note on the source (seed §7): the file and who imported it."""
        by = getattr(self.user, "username", None)
        note = f"{self.file_name} ({by})" if by else self.file_name
        return note[:200]

    def column_of_field(self):
        """Return ``{form field: column header}`` of the mapped columns."""
        found = {}
        for index, target in self.mapping.items():
            for name in SPLITS.get(target, (target,)):
                found.setdefault(form_key(name), self.header[index])
        return found


@dataclasses.dataclass
class Checked:
    """A row checked: its number, its values or its refusals, and its matches."""

    number: int
    values: dict = None
    refusals: list = dataclasses.field(default_factory=list)  # (column, msgid, params)
    matches: list = dataclasses.field(default_factory=list)  # [(customer id, reason)]
    earlier: int = None  # the file's earlier row with the same key (no customer id yet)


def _column(job, index):
    """Return how the cell at ``index`` is named to the user: its column, else its number."""
    return column_name(job.header, index) if index < len(job.header) else str(index + 1)


def _cell_refusals(job, cells):
    """Return the refusals of the row's cells, mapped or not: a henkilötunnus, a control
    character, and the first cell with something in it beyond the header's columns."""
    found = []
    for index, text in enumerate(cells):
        for message, refused in CELL_GUARDS:
            if text and refused(text):
                found.append((_column(job, index), message, {"column": _column(job, index)}))
    beyond = [index for index in range(len(job.header), len(cells)) if cells[index]]
    if beyond:
        name = _column(job, beyond[0])
        found.append((name, EXTRA_CELL_MESSAGE, {"column": name}))
    return found


def check_row(job, number, cells, by_field, duplicate_check=True):
    """Check the row ``number`` with ``cells``; ``by_field`` is job.column_of_field()."""
    checked = Checked(number)
    refused = _cell_refusals(job, cells)
    # The form's message of a column refused already would say the same, or less.
    refused_columns = {column for column, _msg, _params in refused}
    data = form_data(row_values(cells, job.mapping), job.source_note(), job.informing)
    values, errors = job.validate_row(data)
    for name, label, message in errors:
        column = by_field.get(name, str(label))
        if column not in refused_columns:
            refused.append((column, message, {}))
    if refused:
        checked.refusals = refused
        return checked
    checked.values = values
    if duplicate_check:
        checked.matches = matches_of(job.section.id, values)
    return checked

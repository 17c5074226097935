"""Named column mappings kept for reuse, the imports list, and the refused rows of a run
as a file to fix and import again."""

import io
import json

import database
from models import ImportMapping, ImportRefusal, ImportRun
from services import hetu
from services.errors import N_, RegisterError
from services.exports import csv_writer, safe_cell
from services.imports.reading import header_and_rows
from services.vocabulary.imports import TARGETS

NAME_REQUIRED = N_("Give the mapping a name, at most 100 characters.")
NO_MAPPING = N_("There is no saved mapping %(name)s in this section.")
ERROR_COLUMN = "error"


def save_mapping(section, name, header, mapping, user):
    """Save ``mapping`` (``{column index: field}`` of ``header``) as ``name`` in ``section``
    (replacing one of the same name); return the row. It is kept by header, ``{header:
    field}``, and a header of two columns as the list of their fields in order (``{"Puhelin":
    ["phone", "mobile"]}``; the second column was lost and the first took its field)."""
    name = " ".join((name or "").replace("\x00", "").split())
    if not name or len(name) > 100:
        raise RegisterError(NAME_REQUIRED)
    if hetu.refusal(name):
        raise RegisterError(hetu.HETU_MESSAGE)
    fields = {}
    for index, title in enumerate(header):
        fields.setdefault(title, []).append(mapping.get(index) or "")
    kept = json.dumps({title: (found[0] if len(found) == 1 else found)
                       for title, found in fields.items() if set(found) & set(TARGETS)},
                      ensure_ascii=False, sort_keys=True)
    with database.write_transaction():
        row = ImportMapping.get_or_none((ImportMapping.section == section.id)
                                        & (ImportMapping.name == name))
        if row is None:
            return ImportMapping.create(section=section.id, name=name, columns=kept,
                                        created_by=user)
        row.columns, row.created_by = kept, user
        row.save()
        return row


def saved_mapping(section, name):
    """Return the saved mapping ``name`` of ``section`` as ``{header: field}``."""
    row = ImportMapping.get_or_none((ImportMapping.section == section.id)
                                    & (ImportMapping.name == name))
    if row is None:
        raise RegisterError(NO_MAPPING, name=name)
    return json.loads(row.columns)


def saved_mappings(section_ids):
    """Return the mappings saved in the sections ``section_ids``, by name."""
    return list(ImportMapping.select().where(ImportMapping.section.in_(list(section_ids)))
                .order_by(ImportMapping.name))


def runs_for(section_ids):
    """Return the imports of the sections ``section_ids``, newest first."""
    return (ImportRun.select().where(ImportRun.section.in_(list(section_ids)))
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc()))


def refused_rows_csv(run, path, describe):
    """Yield the refused rows of ``run`` from the file at ``path`` as CSV text: the header
    and an "error" column, each row's problems as ``describe(column, msgid, params)``."""
    problems = {}
    for refusal in run.refusals.where(~ImportRefusal.duplicate).order_by(
            ImportRefusal.row_number, ImportRefusal.id):
        problems.setdefault(refusal.row_number, []).append(
            describe(refusal.column, refusal.message, json.loads(refusal.params or "{}")))
    header, data = header_and_rows(path)
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";")
    # Every cell as the register's exports write it: a formula is shown, never run (the
    # reading takes the guard off again).
    writer.writerow([safe_cell(cell) for cell in (*header, ERROR_COLUMN)])
    yield "\ufeff" + out.getvalue()
    for number, cells in data:
        if number in problems:
            out.seek(0)
            out.truncate()
            writer.writerow([safe_cell(cell) for cell in (*cells, " | ".join(problems[number]))])
            yield out.getvalue()

"""``flask --app app import customers FILE --section CODE [--dry-run] [--mapping NAME]
[--user USERNAME]``: import customers from a CSV or XLSX file, with a progress bar."""

import os
import pathlib
import shutil
import tempfile

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from cli.base import ExistingFile, fail
from forms.fields import typed_moment
from forms.imports import row_validator
from models import DUPLICATE_CHOICES, INFORMED_HOW, Section, User
from services import imports, policy
from services.duplicates import DUPLICATE_REASONS
from services.imports import OVERWRITABLE, files
from services.errors import RegisterError

import_cli = AppGroup("import", help="Import customers from a file (issue 15).")


def _customer_view():
    admin = current_app.extensions["admin"][0]
    return next(view for view in admin._views if view.endpoint == "customers")


def _job(path, name, section, user, mapping_name, duplicates, informed_how, informed_at,
         rows=(), overwrite=()):
    file_name = files.file_name(name)
    header, _rows = imports.header_and_rows(path)
    imports.check_header(header)
    held = imports.held_targets(section.category_set)
    mapping = (imports.mapping_by_header(header, imports.saved_mapping(section, mapping_name),
                                         held)
               if mapping_name else imports.auto_mapping(header, held))
    informing = {"informed_how": informed_how or "", "informed_at": informed_at or ""}
    choices, row_choices = _choices(duplicates), _row_choices(rows)
    fields = _overwrite(overwrite, mapping)
    imports.check_mapping(header, mapping, {"overwrite": fields, "duplicates": {
        **choices, **{str(number): choice for number, choice in row_choices.items()}}})
    return imports.ImportJob(
        section=section, user=user, path=str(path), file_name=file_name,
        file_hash=imports.file_hash(path), header=header, mapping=mapping,
        validate_row=row_validator(_customer_view(), section),
        duplicates=choices, informing=informing, row_choices=row_choices, overwrite=fields)


def _check_informing(how, at):
    """Refuse a whole file's informing options that no row could pass (each row would be
    refused for them): before any row is read."""
    if how and how not in INFORMED_HOW:
        raise click.BadParameter(f"{how} ({', '.join(INFORMED_HOW)})",
                                 param_hint="--informed-how")
    if at:
        try:
            typed_moment(at)
        except ValueError as error:
            raise click.BadParameter(f"{at}: {error}", param_hint="--informed-at") from None


def _choices(options):
    """Return ``{reason or "*": choice}`` of the --duplicates options."""
    choices = {"*": "skip"}
    for option in options:
        reason, _sep, choice = option.rpartition("=")
        if choice not in DUPLICATE_CHOICES or reason not in ("", *DUPLICATE_REASONS):
            raise click.BadParameter(option, param_hint="--duplicates")
        choices[reason or "*"] = choice
    return choices


def _row_choices(options):
    """Return ``{row number: choice}`` of the --row options (ROW=CHOICE)."""
    choices = {}
    for option in options:
        number, _sep, choice = option.partition("=")
        # ASCII digits only: "²".isdigit() is true, and int() then fails.
        if not (number.isascii() and number.isdigit()) or len(number) > 9 \
                or choice not in DUPLICATE_CHOICES:
            raise click.BadParameter(option, param_hint="--row")
        choices[int(number)] = choice
    return choices


def _overwrite(fields, mapping):
    """Return the --overwrite fields, each one a column of the file is mapped to."""
    mapped = set(mapping.values())
    for field in fields:
        if field not in mapped or field not in OVERWRITABLE:
            raise click.BadParameter(f"{field} ({', '.join(sorted(mapped & OVERWRITABLE))})",
                                     param_hint="--overwrite")
    return sorted(set(fields))


def _say_unmapped(job):
    """Name the file's columns no field is mapped to: their cells are not imported."""
    left = [name for index, name in enumerate(job.header)
            if index not in job.mapping and name.strip()]
    if left:
        click.echo(_("Columns not imported (no field is mapped to them): %(columns)s",
                     columns=", ".join(left)))


def _report(run):
    click.echo(f"import {run.id} ({run.kind}, {run.state}): {run.total} rows, "
               f"{run.accepted} accepted, {run.refused} refused, {run.duplicates} duplicates, "
               f"{run.updated} updated, {run.skipped} skipped")
    for number, column, message, params in imports.refusals_of(run)[:200]:
        click.echo(f"  row {number}, {column}: {_(message, **params)}")


def _commit(job):
    crash_after = current_app.config.get("IMPORT_CRASH_AFTER_BATCHES")
    rows = sum(1 for _ in _count_rows(job))
    run = imports.start_commit(job, rows=rows)
    if run.reopened:
        click.echo(_(imports.REOPENED, row=run.progress_row))
    done, batches = [0], [0]

    def after_batch(current):
        bar.update(current.progress_row - done[0])
        done[0], batches[0] = current.progress_row, batches[0] + 1
        # IMPORT_CRASH_AFTER_BATCHES (tests of crash safety): die at once after that many.
        if crash_after is not None and batches[0] >= int(crash_after):
            os._exit(75)

    batch = int(current_app.config.get("IMPORT_BATCH_SIZE", imports.BATCH_SIZE))
    with click.progressbar(length=max(rows, 1),
                           label=_("Importing")) as bar:
        done[0] = run.progress_row
        bar.update(run.progress_row)
        run = imports.commit_steps(run, job, batch_size=batch, after_batch=after_batch)
    return run


def _count_rows(job):
    _header, data = imports.header_and_rows(job.path)
    return data


@import_cli.command("customers")
@click.argument("file", type=ExistingFile())
@click.option("--section", "section_code", required=True, help="The section's code.")
@click.option("--dry-run", is_flag=True, help="Check every row; store nothing.")
@click.option("--mapping", "mapping_name", help="A mapping saved on the import page.")
@click.option("--user", "username", help="The user the import is made as (audit log).")
@click.option("--duplicates", multiple=True, metavar="[REASON=]CHOICE",
              help="What a row matching a customer does: create, update_empty, "
              "update_chosen (the --overwrite fields) or skip "
              "(default skip), for every kind of match or, as REASON=CHOICE, for one "
              "(business_id, email, name_and_birth_date, similar_name).")
@click.option("--row", "rows", multiple=True, metavar="ROW=CHOICE",
              help="What one row matching a customer does, over its kind's choice.")
@click.option("--overwrite", multiple=True, metavar="FIELD",
              help="A field the choice update_chosen overwrites (a mapped column's field).")
@click.option("--informed-how", help="How the file's customers were informed (a code).")
@click.option("--informed-at", help="When (Helsinki time, e.g. 25.11.2026 14:30).")
def import_customers(file, section_code, dry_run, mapping_name, username, duplicates,
                     rows, overwrite, informed_how, informed_at):
    """Import customers from FILE (CSV or XLSX) into a section."""
    section = Section.get_or_none(Section.code == section_code)
    if section is None:
        raise click.ClickException(_("There is no section %(code)s.", code=section_code))
    user = None
    if username:
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(_("There is no user %(name)s.", name=username))
        if section.id not in policy.import_section_ids(user):
            raise click.ClickException(_("The user %(name)s may not import customers into "
                                         "the section %(code)s.", name=username,
                                         code=section_code))
    with current_app.test_request_context(), \
            tempfile.TemporaryDirectory(prefix="register-import-") as scratch:
        _check_informing(informed_how, informed_at)
        # The rows are read from a copy, as the page reads its upload: a file changed or
        # cut meanwhile would mix two contents under the first one's hash.
        copy = pathlib.Path(scratch) / "file"
        try:
            shutil.copyfile(file, copy)
        except OSError as error:
            raise click.ClickException(_("The file %(file)s cannot be read: %(error)s",
                                         file=file, error=error.strerror)) from None
        try:
            job = _job(copy, pathlib.Path(file).name, section, user, mapping_name,
                       duplicates, informed_how, informed_at, rows, overwrite)
            _say_unmapped(job)
            run = imports.dry_run(job) if dry_run else _commit(job)
        except RegisterError as error:
            fail(error)
        except KeyboardInterrupt:
            if dry_run:
                raise click.ClickException(_("Interrupted: nothing was checked to the "
                                             "end.")) from None
            raise click.ClickException(_(
                "Interrupted: the batches stored so far stay. Give the same command again "
                "to go on from where it stopped.")) from None
        _report(run)

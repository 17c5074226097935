"""The inline rows of a register screen: read from a post by their ids, saved under their
parent: only the rows changed, never another parent's row by a posted id, never a row
other records name, and deleted only by a role that may delete such rows."""

from flask_admin.contrib.peewee.form import InlineModelConverter, InlineModelFormList
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms.utils import unset_value

from admin_views.base.pages import _differs, user_may
from services.errors import N_, RegisterError
from services.inputs import parse_id

# At most this many rows of one list in a post (a script's thousands are refused).
MAX_POSTED_ROWS = 200


class RegisterInlineList(InlineModelFormList):
    """An inline list whose posted rows are paired with the stored rows by their ids.

    WTForms numbers a post's rows again from 0 (``contact_persons-1``, ``-5`` become 0
    and 1) and fills a row's fields not posted from the stored row at the same place;
    Flask-Admin then looks for a row's delete tick under its new number. So a gap in the
    numbers moved a tick to another row, and a row posted without some field (or
    without its id) took that field of another row. Here the post is numbered again
    first, the ticks with their rows, each id read as the stored id (``01`` is 1); a
    row's fields not posted come from the stored row of its own id, a new row's are
    empty. A row posted twice, or more than MAX_POSTED_ROWS rows, is refused.
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.posted_twice = self.posted_too_many = False
        if formdata:
            formdata, data = self._by_id(formdata, data)
        return super().process(formdata, data, extra_filters)

    def _by_id(self, formdata, data):
        rows, ticks = f"{self.name}-", f"del-{self.id}-"
        indices = sorted({int(index) for index in (
            key[len(rows):].partition("-")[0] for key in formdata if key.startswith(rows))
            if _index(index)})
        self.posted_too_many = len(indices) > MAX_POSTED_ROWS
        number = {old: new for new, old in enumerate(indices[:MAX_POSTED_ROWS])}
        renumbered = MultiDict()
        for key, values in formdata.lists():
            for prefix in (rows, ticks):
                if key.startswith(prefix):
                    index, dash, rest = key[len(prefix):].partition("-")
                    if not _index(index) or int(index) not in number:
                        break  # a spelling WTForms reads as no row: dropped
                    renumbered.setlist(f"{prefix}{number[int(index)]}{dash}{rest}", values)
                    break
            else:
                renumbered.setlist(key, values)
        pks = []
        for new in range(len(number)):
            key = f"{rows}{new}-{self._pk}"
            pk = parse_id(renumbered.get(key))
            if key in renumbered:  # as the stored id, or empty: a new row (as a page posts it)
                renumbered[key] = str(pk) if pk is not None else ""
            self.posted_twice |= pk is not None and pk in pks
            pks.append(pk)
        stored = self._stored(data if data is not unset_value and data else (), pks)
        return renumbered, [stored.get(pk) for pk in pks]

    def _stored(self, read, pks):
        """Return the stored rows by id: those the form was made from (``read``), and the
        parent's older rows a post names (a list shows only its latest rows; the rows read
        then may be older by the time it is posted)."""
        stored = {getattr(row, self._pk): row for row in read}
        missing = [pk for pk in pks if pk is not None and pk not in stored]
        parents = {getattr(row, f"{self.prop}_id") for row in read}
        if missing and parents:
            fk = getattr(self.model, self.prop)
            stored.update((row.id, row) for row in self.model.select().where(
                fk.in_(parents) & self.model.id.in_(missing)))
        return stored

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.posted_twice:
            self.errors.append(_(
                "The same row was sent twice. Reload the page and make the change again."))
        if self.posted_too_many:
            self.errors.append(_(
                "At most %(count)s rows of a list can be saved at once.",
                count=MAX_POSTED_ROWS))
        return valid and not (self.posted_twice or self.posted_too_many)

    @property
    def rows_deletable(self):
        """Tell whether the user may delete this list's stored rows (the delete ticks)."""
        capability = getattr(self.inline_view, "delete_capability", None)
        return capability is None or user_may(capability)


def _index(text):
    """Tell whether ``text`` is a row number as WTForms writes one (0, 1, 12; not 01)."""
    return text.isascii() and text.isdigit() and str(int(text)) == text


class RegisterInlineConverter(InlineModelConverter):
    """Flask-Admin's inline converter, with the register's lists (RegisterInlineList)."""

    inline_field_list_type = RegisterInlineList


def _entry_differs(entry, row):
    """Tell whether an inline form entry would change the stored ``row``."""
    return any(
        name != "id" and name in row._meta.fields and _differs(field.data, getattr(row, name))
        for name, field in entry.form._fields.items()
    )


NAMED_ROW = N_("%(row)s is named by other records of the register (a prohibition of direct "
               "marketing, a consent or a request), which are kept: it cannot be deleted. "
               "Nothing was saved; leave the row in the form and save again.")


def _refuse_if_named(row):
    """Refuse to delete an inline row that other records name (a contact person's
    prohibitions, consents, requests): their foreign keys would delete that history with
    it, without a word."""
    for condition, fk in row.dependencies():
        if fk.model.select().where(condition).exists():
            name = " ".join(filter(None, (getattr(row, "first_name", None),
                                          getattr(row, "last_name", None))))
            raise RegisterError(NAMED_ROW, row=name or getattr(row, "name", None)
                                or f"#{row.get_id()}")


NOT_DELETABLE = N_("Only a register handler deletes rows of the list “%(rows)s”. Nothing "
                   "was saved; untick the row's deletion and save again.")


def _refuse_if_not_deletable(field, row):
    """Refuse a delete tick the user's role may not give (the list's ``rows_deletable``):
    the invoices' own page lets only a handler delete one."""
    if not getattr(field, "rows_deletable", True):
        raise RegisterError(NOT_DELETABLE, rows=str(field.label.text))


def save_inline_rows(form, parent):
    """Save the inline rows of ``form`` under ``parent``; return the lists that changed.

    Like Flask-Admin's ``save_inline``, but a row nobody changed is not written again, and
    a posted id that is not one of the parent's own rows makes a new row, never an update.
    The parent's rows are read by the posted ids (a form may hold only the latest rows of
    a list), or taken from ``form.rows_read`` (list name → the rows the form was made
    from) when every posted row is among them.
    """
    changed = []
    for name, field in form._fields.items():
        if not isinstance(field, InlineModelFormList):
            continue
        fk = getattr(field.model, field.prop)
        posted = sorted({pk for pk in map(parse_id, (e.get_pk() for e in field.entries)) if pk})
        own = {str(row.id): row for row in getattr(form, "rows_read", {}).get(name, ())}
        if not {str(pk) for pk in posted} <= own.keys():
            own = {str(row.id): row for row in field.model.select().where(
                (fk == parent.id) & field.model.id.in_(posted))} if posted else {}
        touched = False
        for entry in field.entries:
            existing = own.get(str(entry.get_pk() or ""))
            if field.should_delete(entry):
                if existing is not None:
                    _refuse_if_not_deletable(field, existing)
                    _refuse_if_named(existing)
                    existing.delete_instance()
                    touched = True
                continue
            if existing is not None and not _entry_differs(entry, existing):
                continue
            row = existing if existing is not None else field.model()
            entry.populate_obj(row, None)
            setattr(row, field.prop, parent.id)
            field.inline_view._on_model_change(entry, row, existing is None)
            row.save()
            touched = True
        if touched:
            changed.append(name)
    return changed

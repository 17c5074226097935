"""The inline rows of a register screen saved under their parent: only the rows changed,
never another parent's row by a posted id, and never a row other records name."""

from admin_views.base.pages import _differs
from services.errors import N_, RegisterError
from services.inputs import parse_id


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
        if field.type != "InlineModelFormList":
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

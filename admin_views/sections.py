"""Sections and data categories (seed §1, §6, §17): the controller adds sections, names
them and chooses the data categories each holds. The rules are in services/sections.py.

Removing a category whose data the section's customers hold is a second step: the page
shows the data per table and field and asks whether it is kept until the purge or
deleted now.
"""

import json

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from admin_views.base import SecureBaseView, acting_user, user_name, visible_or_404
from models import Section
from services import sections as rules
from services.errors import RegisterError
from services.vocabulary.administration import SECTION_CHANGE_LABELS
from services.vocabulary.customers import CATEGORY_LABELS
from services.vocabulary.report import place_label

def _posted_names():
    return {lang: request.form.get(f"name_{lang}", "") for lang in rules.LANGUAGES}


def _posted(code):
    """What the user posted, to show again: code, names, categories and version."""
    return {"code": code, "categories": request.form.getlist("categories"),
            "version": request.form.get("version", ""),
            **{f"name_{lang}": value for lang, value in _posted_names().items()}}


def _refusal(error):
    return _(error.message, **error.params)


class SectionsView(SecureBaseView):
    """The sections with their names and data categories; only the controller."""

    capability = "manage_sections"

    @expose("/")
    def index(self):
        return self._render()

    def _render(self, errors=None, posted=None, new=None, status=200):
        """The page; ``errors`` and ``posted`` of the form (a section's code or "new")."""
        locale = str(get_locale())
        rows = rules.sections()
        return self.render(
            "sections/index.html",
            rows=rows,
            names={s.code: s.name_in(locale) for s in rows},
            blockers={s.code: [_(m) for m in rules.delete_blockers(s)] for s in rows},
            categories=rules.editable_categories(),
            required=rules.REQUIRED,
            category_labels=CATEGORY_LABELS,
            errors=errors or {},
            posted=posted,
            new=new or {},
            history=rules.history(),
            change_text=self._change_text,
            change_labels=SECTION_CHANGE_LABELS,
            user_name=user_name,
            code_max=32,
            name_max=rules.NAME_MAX,
        ), status

    @staticmethod
    def _change_text(change):
        """Say what a change did, in the reader's language."""
        def categories(text):
            return ", ".join(str(CATEGORY_LABELS.get(c, c)) for c in (text or "").split())
        if change.action == "create":
            return categories(change.new_value)
        if change.action == "categories":
            text = f"{categories(change.old_value)} → {categories(change.new_value)}"
            detail = json.loads(change.detail) if change.detail else None
            if detail:
                text += " · " + (_("data of the removed categories kept until the purge")
                                 if detail.get("choice") == rules.KEEP
                                 else _("data of the removed categories deleted now"))
            return text
        if change.action == "names":
            old, new = json.loads(change.old_value), json.loads(change.new_value)
            return "{} → {}".format(" / ".join(v for v in old.values() if v),
                                    " / ".join(v for v in new.values() if v))
        if change.action == "delete_data":
            counts = json.loads(change.detail or "{}").get("counts", {})
            return f"{categories(change.old_value)}: {SectionsView._counts_text(counts)}"
        return categories(change.old_value)

    # --- adding --------------------------------------------------------------------------

    @expose("/new", methods=("POST",))
    def create(self):
        new = _posted(request.form.get("code", ""))
        names = _posted_names()
        try:
            section = rules.create_section(new["code"], names, new["categories"],
                                           acting_user())
        except RegisterError as error:
            field = getattr(error, "field", None) or "categories"
            flash(_("The section was not added. Correct the marked field and try again."),
                  "error")
            return self._render(errors={("new", field): _refusal(error)}, new=new, status=400)
        flash(_("Added the section %(name)s. Give it to users through an access request.",
                name=section.name_in(str(get_locale()))), "success")
        return redirect(url_for(".index"))

    # --- saving a section ------------------------------------------------------------------

    @expose("/<section_id>", methods=("POST",))
    def save(self, section_id):
        section = visible_or_404(Section, section_id)
        code = section.code
        names = _posted_names()
        chosen = request.form.getlist("categories")
        posted = _posted(code)
        choice = request.form.get("choice") or None
        try:
            removed, counts, held = rules.removal(section, chosen)
            if counts and choice is None:
                return self._confirm(section, posted, removed, counts, held)
            changed = rules.save_section(section, names, chosen, request.form.get("version"),
                                         acting_user(), choice)
        except RegisterError as error:
            field = getattr(error, "field", None) or "categories"
            flash(_("The section was not saved. Correct the marked field and try again."),
                  "error")
            return self._render(errors={(code, field): _refusal(error)}, posted=posted,
                                status=400)
        name = Section.get_by_id(section.id).name_in(str(get_locale()))
        if not changed:
            flash(_("Nothing changed in %(name)s.", name=name), "info")
        elif choice == rules.DELETE_NOW and counts:
            totals = rules.delete_data(section, removed, acting_user())
            flash(_("Saved %(name)s and deleted the data of the removed categories: "
                    "%(counts)s.", name=name, counts=self._counts_text(totals)), "success")
        elif counts:
            flash(_("Saved %(name)s. The data of the removed categories is no longer shown "
                    "and the next purge removes it.", name=name), "success")
        else:
            flash(_("Saved %(name)s.", name=name), "success")
        return redirect(url_for(".index"))

    @staticmethod
    def _counts_text(counts):
        return ", ".join(f"{place_label(k)} {format_decimal(n)}"
                         for k, n in sorted(counts.items())) or "0"

    def _confirm(self, section, posted, removed, counts, held):
        """The second step: what the removed categories hold, and the choice."""
        return self.render(
            "sections/confirm.html",
            section=section,
            name=section.name_in(str(get_locale())),
            posted=posted,
            removed=[CATEGORY_LABELS.get(c, c) for c in removed],
            counts=[(place_label(k), format_decimal(n)) for k, n in counts.items()],
            held=format_decimal(held) if held else None,
        )

    # --- deleting ----------------------------------------------------------------------

    @expose("/<section_id>/delete", methods=("POST",))
    def delete(self, section_id):
        section = visible_or_404(Section, section_id)
        name = section.name_in(str(get_locale()))
        try:
            rules.delete_section(section, acting_user())
        except rules.InUse as error:
            flash(_(error.message, code=name,
                    reasons=" ".join(_(b) for b in error.blockers)), "error")
            return redirect(url_for(".index"))
        flash(_("Deleted the section %(name)s.", name=name), "success")
        return redirect(url_for(".index"))

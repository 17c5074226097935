"""The controller's settings (seed §17): the register description's people, purposes,
sources and prose, versioned; and publishing the register description and privacy notice
(§13) from them and the live configuration. The rules are in services/register_settings/.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.menu import MenuLink
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import SecureBaseView, flash_refusal, user_may, user_name
from models import Section
from services import register_settings as settings
from services.errors import RegisterError
from services.inputs import parse_id
from services.vocabulary.administration import (
    LAWFUL_BASIS_LABELS,
    SETTINGS_FIELD_LABELS,
    SETTINGS_PART_LABELS,
)
from services.vocabulary.customers import CUSTOMER_LANGUAGE_LABELS

# Versions the history lists.
HISTORY = 20


def _group_of(key):
    """Return the part of the page a flat field is shown in, and its field name there."""
    parts = key.split(".")
    if parts[-1] in settings.LANGUAGES:
        parts = parts[:-1]
    if parts[0] in ("handlers", "purposes"):
        return ".".join(parts[:2]), (parts[2] if len(parts) > 2 else "")
    if parts[0] in ("decision_maker_duties", "responsible_duties"):
        return parts[0][: -len("_duties")], "duties"
    return parts[0], (parts[1] if len(parts) > 1 else "")


def _legend(group, names):
    kind, _dot, rest = group.partition(".")
    if kind == "handlers":
        return _("Person handling register matters: %(section)s", section=names.get(rest, rest))
    if kind == "purposes":
        return _("Purpose %(number)s", number=int(rest) + 1)
    return str(SETTINGS_PART_LABELS[kind])


def _language_of(key):
    """Return the language of a flat field (fi, sv, en), or None for one of no language."""
    lang = key.rsplit(".", 1)[-1]
    return lang if lang in settings.LANGUAGES else None


def _label(key, name):
    lang = _language_of(key)
    language = CUSTOMER_LANGUAGE_LABELS[lang] if lang else None
    if not name:
        return str(language)
    label = str(SETTINGS_FIELD_LABELS[name])
    return _("%(field)s (%(language)s)", field=label, language=language) if language else label


def page_groups(values, problems, purpose_count):
    """Return the settings page's fieldsets: ``[{"legend", "fields": [...]}]``."""
    locale = str(get_locale())
    names = {s.code: s.name_in(locale) for s in Section.select()}
    groups, by_key = [], {}
    for field in settings.fields(settings.section_codes(), purpose_count):
        group, name = _group_of(field.key)
        if group not in by_key:
            by_key[group] = {"legend": _legend(group, names), "fields": []}
            groups.append(by_key[group])
        problem = problems.get(field.key)
        by_key[group]["fields"].append({
            "key": field.key, "id": "s-" + field.key.replace(".", "-"),
            "label": _label(field.key, name), "kind": field.kind,
            "lang": _language_of(field.key),
            "required": field.required, "value": values.get(field.key, ""),
            "error": _(problem[0], **problem[1]) if problem else None,
        })
    return groups


def history_rows(versions):
    """Return the versions, newest first, each with the parts changed from the one before."""
    rows = []
    for newer, older in zip(versions, versions[1:] + [None]):
        parts = settings.changed_parts(older.data, newer.data) if older else []
        rows.append({"version": newer, "saved_by": user_name(newer.saved_by_id),
                     "parts": [str(SETTINGS_PART_LABELS.get(p, p)) for p in parts]})
    return rows


class ControllerSettingsView(SecureBaseView):
    """Edit the settings (a new version each save) and publish them."""

    capability = "manage_settings"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        latest = settings.current()
        purpose_count = len(latest.data.get("purposes") or [])
        values, problems, seen = settings.flatten(latest.data), {}, latest.number
        if request.method == "POST":
            values = {key: request.form.get(key, "") for key in request.form}
            seen = parse_id(request.form.get("seen"))
            try:
                saved = settings.save(current_user._get_current_object(), values, seen)
            except settings.SettingsProblems as ex:
                problems = ex.problems
                flash_refusal(ex)
            except RegisterError as ex:
                flash_refusal(ex)
            else:
                if saved is None:
                    flash(_("Nothing changed: the settings were already those."), "info")
                else:
                    flash(_("Saved the settings as version %(number)s. Publish them to show "
                            "them on the public pages.", number=saved.number), "success")
                return redirect(url_for(".index"))
        published = settings.latest()
        versions = settings.history(HISTORY + 1)
        return self.render(
            "settings/controller.html",
            latest=latest,
            seen=seen or "",
            groups=page_groups(values, problems, purpose_count),
            bases=LAWFUL_BASIS_LABELS,
            published=published,
            unpublished=published is None or published.data != settings.snapshot(),
            publications=settings.publications()[:HISTORY],
            history=history_rows(versions)[:HISTORY],
            user_name=user_name,
            sections=Section.select().order_by(Section.id),
        )

    @expose("/publish", methods=("POST",))
    def publish(self):
        try:
            pub = settings.publish(current_user._get_current_object())
        except RegisterError as ex:
            flash_refusal(ex)
        else:
            flash(_("Published the register description and the privacy notice as version "
                    "%(number)s.", number=pub.number), "success")
        return redirect(url_for(".index"))

    @expose("/version/<number>")
    def version(self, number):
        found = settings.version(parse_id(number) or 0)
        if found is None:
            abort(404)
        return self.render(
            "settings/version.html",
            version=found,
            groups=page_groups(settings.flatten(found.data), {},
                               len(found.data.get("purposes") or [])),
            bases=LAWFUL_BASIS_LABELS,
            saved_by=user_name(found.saved_by_id),
        )


class CapabilityLink(MenuLink):
    """A menu item leading to another page, shown to those whose role holds ``capability``."""

    def __init__(self, name, endpoint, capability, category):
        super().__init__(name, endpoint=endpoint, category=category)
        self.capability = capability

    def is_accessible(self):
        return user_may(self.capability)

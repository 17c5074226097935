"""Merging two customers of one section (issue 15): /customers/merge/?a=ID&b=ID.

The page shows both customers' own fields side by side (services/merge: the fields of the
section's data categories), a choice of the value kept for each field that differs, and
of the customer kept; sending it merges the other into it in one transaction. Reached from
the customer's page ("Merge with customer number …") and from the possible duplicates.

Staff and handlers merge the customers of their own sections (``merge_customers``); the
controller and the responsible person read every section but change none, so they do not
merge either, and the sections are separate registers: two customers of different
sections are never merged, whoever asks. A customer outside the user's sections is 404,
as on every customer screen.
"""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from peewee import fn

from admin_views.base import (
    SecureBaseView,
    acting_user,
    customer_or_404,
    flash_refusal,
    local_date,
    scoped_customers,
    user_may,
    user_section_ids,
)
from database import write_transaction
from models import Customer, CustomerMerge, PhoneField
from services import audit, merge
from services.categories import references
from services.errors import RegisterError
from services.inputs import parse_id
from services.phones import display_phone
from services.versioning import StaleVersion
from services.vocabulary.customers import (
    CATEGORY_LABELS,
    CUSTOMER_KIND_LABELS,
    CUSTOMER_LANGUAGE_LABELS,
    FIELD_LABELS,
)
from services.vocabulary.report import RELATION_LABELS

SIDES = ("a", "b")


def customer_merge_url(customer):
    """For the customer's page: the merge page's address, or None when the user may not
    merge this customer."""
    if not user_may("merge_customers") or customer.section_id not in user_section_ids():
        return None
    return url_for("customer_merge.index")


class MergeView(SecureBaseView):
    """The side-by-side page of two customers and their merge."""

    capability = "merge_customers"

    def is_visible(self):
        return False  # reached from the customer's page and the possible duplicates

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(customer_merge_url, "customer_merge_url")
        return blueprint

    @expose("/", methods=("GET", "POST"))
    def index(self):
        first = customer_or_404(request.args.get("a"))
        if (request.args.get("b") or "").strip() == "":
            return self._ask(first)
        survivor = _merged_into(request.args.get("b"))
        if survivor is not None:  # two tabs: merged elsewhere meanwhile
            flash(_("Customer %(merged)s has been merged into %(survivor)s (number %(id)s) "
                    "meanwhile: nothing was merged. Choose the customer to merge again.",
                    merged=request.args.get("b"), survivor=survivor.display_name,
                    id=survivor.id), "error")
            return self._ask(first)
        second = customer_or_404(request.args.get("b"))
        problem = merge.refusal(first, second)
        if problem is not None:
            flash_refusal(problem)
            return self._ask(first)
        if request.method == "POST":
            done, versions = self._merge(first, second)
            if done is not None:
                return done
        else:
            versions = {"a": first.version, "b": second.version}
            with write_transaction():
                for customer in (first, second):
                    audit.record("view", actor=acting_user(), object_type="customer",
                                 object_id=customer.id, section=customer.section.code,
                                 fields=["merge"])
        return self._compare(first, second, versions)

    def _ask(self, customer):
        return self.render("admin/customer_merge.html", customer=customer, pair=None,
                           kind_label=CUSTOMER_KIND_LABELS.get(customer.kind, customer.kind),
                           section_name=customer.section.name_in(str(get_locale())))

    def _compare(self, first, second, versions):
        offered = merge.choices(first, second)
        posted = request.method == "POST"
        survivor = request.form.get("survivor") if posted else "a"
        rows = []
        for choice in offered:
            default = "a" if choice.default == merge.SURVIVOR else "b"
            picked = request.form.get(f"choice-{choice.key}") if posted else default
            rows.append({
                "key": choice.key, "differs": choice.differs,
                "label": FIELD_LABELS.get(choice.field_name, choice.field_name),
                "category": CATEGORY_LABELS.get(choice.category, choice.category),
                "a": _shown(choice.field_name, choice.survivor),
                "b": _shown(choice.field_name, choice.merged),
                "picked": picked if picked in SIDES else default,
            })
        return self.render(
            "admin/customer_merge.html", customer=first, pair=(first, second), rows=rows,
            moving=_moving(first.id, second.id), versions=versions,
            survivor=survivor if survivor in SIDES else "a",
            kind_label=CUSTOMER_KIND_LABELS.get(first.kind, first.kind),
            section_name=first.section.name_in(str(get_locale())))

    def _merge(self, first, second):
        """Merge as posted; return ``(the redirect to the customer kept, None)``, or
        ``(None, the versions the page goes on with)`` when refused (the message flashed,
        the input kept): the posted ones, or after a change meanwhile the customers' own,
        as the page then shows their data as it is now."""
        posted = {side: request.form.get(f"version_{side}", "") for side in SIDES}
        keep_side = request.form.get("survivor")
        if keep_side not in SIDES:
            flash(_("Choose which customer is kept."), "error")
            return None, posted
        pair = {"a": first, "b": second}
        other_side = "b" if keep_side == "a" else "a"
        chosen = {}
        for choice in merge.choices(first, second):
            side = request.form.get(f"choice-{choice.key}")
            if side in SIDES:
                chosen[choice.key] = merge.SURVIVOR if side == keep_side else merge.MERGED
        try:
            row = merge.merge(pair[keep_side], pair[other_side],
                              seen_survivor=request.form.get(f"version_{keep_side}"),
                              seen_merged=request.form.get(f"version_{other_side}"),
                              chosen=chosen, actor=acting_user())
        except merge.Held as ex:
            reasons = ". ".join(_(h.message[0], **h.message[1]) for h in ex.holds)
            flash(_(ex.message, reasons=reasons), "error")
            return None, posted
        except StaleVersion:
            flash(_("Someone else changed one of these customers meanwhile: nothing was "
                    "merged. The page now shows their data as it is: check your choices "
                    "and merge again."), "error")
            return None, {"a": first.version, "b": second.version}
        except RegisterError as ex:
            flash_refusal(ex)
            return None, posted
        flash(_("Customer %(merged)s was merged into customer %(kept)s (%(name)s) and "
                "removed; its data is now this customer's.", merged=row.merged_id,
                kept=pair[keep_side].id, name=Customer.get_by_id(row.customer_id).display_name),
              "success")
        return redirect(url_for("customers.details_view", id=row.customer_id)), None


def _shown(name, value):
    """Return the value of field ``name`` as a person reads it ("" for none)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return local_date(value)
    if name == "language":
        return CUSTOMER_LANGUAGE_LABELS.get(value, value)
    if isinstance(Customer._meta.fields.get(name), PhoneField):
        return display_phone(value)
    return value


def _moving(first_id, second_id):
    """Return ``[(label, rows of a, rows of b)]`` of the rows naming either customer: what
    the merge moves to the customer kept."""
    found = []
    for model, field in references(Customer):
        label = RELATION_LABELS.get(model.__name__)
        if label is None:
            continue
        counts = dict(model.select(field, fn.COUNT(model._meta.primary_key))
                      .where(field.in_([first_id, second_id])).group_by(field).tuples())
        if counts:
            found.append((label, counts.get(first_id, 0), counts.get(second_id, 0)))
    return found


def _merged_into(value):
    """Return the customer the customer number ``value`` was merged into, if that number is
    no customer now and the user may see the one it became; else None."""
    number = parse_id(value)
    if number is None or Customer.select().where(Customer.id == number).exists():
        return None
    merged = CustomerMerge.get_or_none(CustomerMerge.merged_id == number)
    if merged is None:
        return None
    return scoped_customers().where(Customer.id == merged.customer_id).first()

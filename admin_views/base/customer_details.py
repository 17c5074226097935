"""The customer's details page (admin_views/customers.py, which mixes this in): a summary first, then the
customer's information, its rows and its history as a timeline, newest first, a page at a
time (``?history=N``; "Older" goes one page on)."""

import datetime
from decimal import Decimal

from flask import request, url_for
from flask_admin import expose
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base.pages import all_sections, local_date, local_datetime, page_number
from database import write_transaction
from models import FIELD_CATEGORIES, NOT_FOR_KIND, Address, Customer, PhoneField
from services import customer_overview, rectification
from services import customers as customer_rules
from services import requests as inspection_requests
from services.phones import display_phone
from services.vocabulary import customers as labels
from services.vocabulary.rights import INSPECTION_STATE_LABELS, RECTIFICATION_STATE_LABELS

# Fields the details show only when set: most customers were never minimised, and were
# reached when informed.
SHOWN_WHEN_SET = ("minimised_at", "not_reachable_reason")

# Fields the summary at the top says already.
IN_SUMMARY = ("id", "sort_name", "version", "section", "kind")

# Rows the timeline shows instead of their tables.
IN_TIMELINE = ("events", "purchases")

# The label tables of the fields whose values are codes.
LABELS_OF_CHOICES = {
    "kind": labels.CUSTOMER_KIND_LABELS, "language": labels.CUSTOMER_LANGUAGE_LABELS,
    "informed_how": labels.INFORMED_HOW_LABELS, "direction": labels.DIRECTION_LABELS,
    "channel": labels.CHANNEL_LABELS, "collection_state": labels.COLLECTION_STATE_LABELS,
    "data_source": labels.DATA_SOURCE_LABELS,
}


class CustomerDetailsMixin:
    """The details page of CustomerView; ``relations`` names the customer's rows."""

    relations = {}

    @expose("/details/")
    def details_view(self):
        model = self.get_one(request.args.get("id"))
        with write_transaction():
            self.record("view", model)
        section = all_sections()[model.section_id]  # read with the page's others
        categories = section.category_set
        # The other kinds' fields (a company has no birth date, a person no Y-tunnus) are
        # left out when empty, but a value that is stored is always shown.
        fields = [(name, category) for name, category in FIELD_CATEGORIES[Customer].items()
                  if category in categories and name not in IN_SUMMARY
                  and not ((name in NOT_FOR_KIND.get(model.kind, ())
                            or name in SHOWN_WHEN_SET)
                           and getattr(model, name) in (None, ""))]
        related = []
        for relation, (child, category) in self.relations.items():
            if category not in categories or relation in IN_TIMELINE:
                continue
            if relation == "contact_persons" and not customer_rules.has_contact_persons(
                    model.kind):
                continue
            columns = [name for name in child._meta.fields if name not in ("id", "customer")]
            rows = list(getattr(model, relation).order_by(child.id))
            related.append((relation, columns, rows))
        return self.render(
            self.details_template,
            model=model,
            fields=fields,
            related=related,
            summary=self.summary(model),
            history=self.history(model) if "history" in categories else None,
            section_name=section.name_in(str(get_locale())),
            value_of=self.display_value,
            return_url=self.return_url(),
        )

    def summary(self, model):
        """Return the summary's rows: ``[(label, text, [(link text, url)])]``."""
        section = all_sections()[model.section_id]
        categories = section.category_set
        rows = [(labels.FIELD_LABELS["kind"], self.display_value(model, "kind"), []),
                (labels.FIELD_LABELS["section"], section.name_in(str(get_locale())), [])]
        if "language" in categories:
            rows.append((labels.FIELD_LABELS["language"],
                         self.display_value(model, "language"), []))
        rows.append((_("Informing"), self.informing_text(model), []))
        rows.append((labels.FIELD_LABELS["last_activity_at"],
                     local_date(model.last_activity_at) or _("None recorded."), []))
        inspections, rectifications = customer_overview.open_requests(
            model, inspection_requests.visible_to(current_user))
        links = [(_("Inspection request %(number)s: %(state)s", number=r.id,
                    state=INSPECTION_STATE_LABELS[inspection_requests.state_of(r)]),
                  url_for("requests.details", request_id=r.id)) for r in inspections]
        links += [(_("Rectification request %(number)s: %(state)s", number=r.id,
                     state=RECTIFICATION_STATE_LABELS[rectification.state(r)]),
                   url_for("rectification.details_view", request_id=r.id))
                  for r in rectifications]
        rows.append((_("Open requests"), "" if links else _("None"), links))
        return rows

    @staticmethod
    def informing_text(model):
        """Return whether and how the customer was informed of the registration."""
        if model.informed_how is None or model.informed_at is None:
            return labels.INFORMING_STATE_LABELS["no"]
        return _("%(how)s, %(date)s", how=labels.INFORMED_HOW_LABELS.get(
            model.informed_how, model.informed_how), date=local_date(model.informed_at))

    def history(self, model):
        """Return the page of the timeline ``?history=`` asks for, and its links."""
        page = page_number(request.args.get("history"))
        rows, more = customer_overview.history_page(model, page)
        args = {"id": model.id, "url": request.args.get("url") or None}
        return {
            "rows": rows,
            "page": page,
            "older": url_for(".details_view", history=page + 1, **args) if more else None,
            "newer": (url_for(".details_view", history=page - 1 if page > 2 else None, **args)
                      if page > 1 else None),
        }

    def display_value(self, row, name):
        """Return the value of ``row.name`` as a person should read it."""
        value = getattr(row, name)
        if name == "data_source" and value in (None, ""):
            return labels.NOT_RECORDED
        if value is None or value == "":
            return ""
        if name == "kind" and isinstance(row, Address):
            return labels.ADDRESS_KIND_LABELS.get(value, value)
        if name in LABELS_OF_CHOICES:
            return LABELS_OF_CHOICES[name].get(value, value)
        if isinstance(value, datetime.datetime):
            return local_datetime(value)
        if isinstance(value, datetime.date):
            return local_date(value)
        if isinstance(value, Decimal):
            # Euros with two decimals in the UI language ("249,90"), whatever the database
            # returns (SQLite gives Decimal("249.9")).
            return format_decimal(value, format="#,##0.00")
        if name == "staff":
            return f"#{row.staff_id}"
        if isinstance(row._meta.fields.get(name), PhoneField):
            return display_phone(value)  # +358 40 380 6251 (services/phones.py)
        return value

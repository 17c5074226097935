"""The customer screens: list, details, create and edit, with the customer's rows inline.

One view serves every section. A section is data: the customer's section decides which
data categories its form and details show (``Section.category_set``), so a third section
is a row in the ``section`` table, not a class.
"""

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import is_form_submitted
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields import BooleanField, HiddenField

from admin_views.base import (
    ChoiceFilter,
    CustomerDetailsMixin,
    HelsinkiDateTimeBetweenFilter,
    HandlerDeletedInline,
    RegisterInlineForm,
    RegisterModelView,
    all_sections,
    granted_sections,
    local_date,
    user_customer_scope,
    user_may,
    user_section_ids,
    user_sections,
)
from admin_views.base.customer_filters import (
    INACTIVE_FILTER,
    INFORMED_FILTER,
    SAVED_INACTIVE_YEARS,
    SECTION_FILTER,
    CityFilter,
    HeldChoiceFilter,
    PostalCheckFilter,
)
from admin_views.base.filling import fill_existing
from forms.customers import (
    CUSTOMER_FORM_ARGS,
    ROW_FORM_ARGS,
    CustomerRules,
    form_layout,
    required_for_kinds,
)
from forms.duplicates import (
    check_new_customer,
    chosen_match,
    create_anyway_field,
    customer_values,
)
from forms.sources import SourceChecks
from models import (
    FIELD_CATEGORIES,
    MAINTAINED_FIELDS,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Purchase,
)
from services import customers as customer_rules
from services import list_blocks, policy
from services.categories import home_category, linked_models
from services.phones import display_phone
from services.search import customer_search_condition, max_candidates, search_is_capped
from services.vocabulary import customers as labels

# The customer's related rows shown on its screens, by their backref, each with its data
# category: every mapped model referencing the customer (services.categories) but the
# records of the person's own prohibitions and requests, which have pages of their own.
RELATIONS = {link.backref: (child, home_category(child))
             for child, link in linked_models(Customer) if home_category(child) != "record"}

# Fields the register keeps up itself: never in a form.
MAINTAINED = ("section", *MAINTAINED_FIELDS[Customer], "created_at", "updated_at",
              "last_activity_at", "minimised_at")

class StaffStampedInline(RegisterInlineForm):
    """An inline row that remembers which staff member recorded it."""

    def on_model_change(self, form, model, is_created):
        if is_created:
            model.staff = current_user.id


INLINES = {
    "addresses": RegisterInlineForm(Address, form_args=ROW_FORM_ARGS[Address]),
    "demographics": RegisterInlineForm(Demographics, form_args=ROW_FORM_ARGS[Demographics]),
    "contact_persons": RegisterInlineForm(ContactPerson,
                                          form_args=ROW_FORM_ARGS[ContactPerson]),
    "events": StaffStampedInline(ContactEvent, form_excluded_columns=["staff"],
                                 form_args=ROW_FORM_ARGS[ContactEvent]),
    "purchases": HandlerDeletedInline(Purchase, form_args=ROW_FORM_ARGS[Purchase]),
    "invoices": HandlerDeletedInline(Invoice, form_args=ROW_FORM_ARGS[Invoice]),
}


# The edit form's lists that grow with time (contacts, purchases, invoices) hold the
# latest recorded rows only: a customer with 10 000 contacts and 200 invoices took 13 s and
# 28 MB to show with every one of them, and as long to post. The rest stay as they are,
# on the customer's page (its history, its invoices; an invoice is edited in the invoices'
# list too); a save changes only the rows the form holds. List → where its rows are shown.
EDIT_HISTORY_ROWS = 20
HISTORY_LISTS = {"events": "history", "purchases": "history", "invoices": "invoices-heading"}


class _EditedCustomer:
    """The customer as its edit form reads it: its own fields as they are, each list of
    rows read once (the form, then its checks of the stored addresses and contact
    persons), and of each list of HISTORY_LISTS the ``EDIT_HISTORY_ROWS`` latest recorded
    rows, the oldest of them first (``not_shown``: how many older rows each list leaves
    out)."""

    def __init__(self, customer):
        self._customer = customer
        self.not_shown = {}
        self.rows = {}  # list name → its rows as read

    def __getattr__(self, name):
        if name in self.rows:
            return self.rows[name]
        value = getattr(self._customer, name)
        if not isinstance(value, pw.ModelSelect):
            return value
        if name in HISTORY_LISTS:
            latest = list(value.order_by(value.model.id.desc()).limit(EDIT_HISTORY_ROWS))
            if len(latest) == EDIT_HISTORY_ROWS:
                self.not_shown[name] = value.count() - len(latest)
            rows = latest[::-1]
        else:  # in the order they were added (PostgreSQL reads an updated row last)
            rows = list(value.order_by(value.model.id))
        self.rows[name] = rows  # read once (the form asks hasattr, then getattr)
        return rows


def _if_held(model, category, value):
    """Return ``value`` of a list column when the customer's section holds its category;
    a category taken from the section is not shown while its data waits for the purge."""
    return value if category in all_sections()[model.section_id].category_set else ""


class CustomerView(CustomerDetailsMixin, RegisterModelView):
    """Customers of the sections the user may see."""

    audit_object_type = "customer"
    delete_blocked_by = ("events", "purchases", "invoices", "prohibitions", "marketing_consents")
    relation_labels = labels.DELETE_BLOCKING_LABELS

    details_template = "admin/customer_details.html"
    can_view_details = True
    relations = RELATIONS

    # The form of fieldsets, the kind first (templates/admin/customer_form.html).
    create_template = "admin/customer_form_page.html"
    edit_template = "admin/customer_form_page.html"
    fieldset_labels = labels.FIELDSET_LABELS
    customer_kinds = tuple(labels.CUSTOMER_KIND_LABELS)
    form_layout = staticmethod(form_layout)
    required_for_kinds = staticmethod(required_for_kinds)

    # What helps a person find someone (issue: name, kind, id, city, language, activity).
    # The phone last: a sort link's number (?sort=5) stays the column it was.
    column_list = ("sort_name", "kind", "id_code", "city", "language", "last_activity_at",
                   "section", "phone")
    column_labels = labels.FIELD_LABELS
    # Sorting only on indexed or small columns keeps pages fast at a million customers.
    column_sortable_list = ("sort_name", "kind", "language", "last_activity_at",
                            "city", ("section", Customer.section),
                            ("id_code", Customer.business_id))
    column_default_sort = ("sort_name", False)
    # Enables the search box; the search itself is services.search (FTS5 / pg_trgm).
    column_searchable_list = ("sort_name",)
    column_filters = (
        SECTION_FILTER,
        ChoiceFilter(Customer.kind, _l("Kind"), labels.CUSTOMER_KIND_LABELS),
        HeldChoiceFilter(Customer.language, _l("Language"), labels.CUSTOMER_LANGUAGE_LABELS,
                         "language"),
        CityFilter(Customer.id, _l("City")),
        HelsinkiDateTimeBetweenFilter(Customer.last_activity_at, _l("Last activity")),
        INFORMED_FILTER,
        PostalCheckFilter(Customer.id, _l("Postal code check"),
                          options=[("fails", _l("An address fails the check"))]),
        INACTIVE_FILTER,  # last: the filters before it keep their arguments
    )
    column_formatters = {
        "sort_name": lambda view, context, model, name: model.display_name,
        "kind": lambda view, context, model, name: labels.CUSTOMER_KIND_LABELS.get(model.kind),
        "language": lambda view, context, model, name:
            _if_held(model, "language", labels.CUSTOMER_LANGUAGE_LABELS.get(model.language)),
        "id_code": lambda view, context, model, name: _if_held(
            model, "birth_or_business_id", model.business_id or local_date(model.birth_date)),
        "city": lambda view, context, model, name: _if_held(model, "address", model.city),
        # The phone and the mobile number, grouped as people read them (services/phones.py).
        "phone": lambda view, context, model, name: _if_held(model, "phone", ", ".join(
            display_phone(number) for number in (model.phone, model.mobile) if number)),
        "section": lambda view, context, model, name:
            view.section_names().get(model.section_id, ""),
        "last_activity_at": lambda view, context, model, name:
            local_date(model.last_activity_at),
    }
    # The export has the phone and the mobile number in columns of their own, grouped as
    # the list shows them: a spreadsheet reads them so, and the import takes them back.
    column_export_list = ("sort_name", "kind", "id_code", "city", "language",
                          "last_activity_at", "section", "phone", "mobile")
    column_formatters_export = {
        **column_formatters,
        "phone": lambda view, context, model, name:
            _if_held(model, "phone", display_phone(model.phone)),
        "mobile": lambda view, context, model, name:
            _if_held(model, "phone", display_phone(model.mobile)),
    }

    form_excluded_columns = MAINTAINED + tuple(RELATIONS)
    form_overrides = {"version": HiddenField}
    form_args = CUSTOMER_FORM_ARGS
    inline_models = tuple(INLINES.values())

    def scaffold_form(self):
        form_class = type("CustomerForm", (CustomerRules, SourceChecks,
                                           super().scaffold_form()), {})
        # Shown only when another customer of the section has the Y-tunnus (validate_form),
        # right below the Y-tunnus: the same place in the field order, and the name after it.
        confirm = BooleanField(_l("This is a different company with the same Y-tunnus"))
        confirm.creation_counter = form_class.business_id.creation_counter
        form_class.different_company = confirm
        form_class.create_anyway = create_anyway_field()  # forms/duplicates.py
        return form_class

    # --- informing (seed §13): the bulk action and the front page's links ----------------

    def is_action_allowed(self, name):
        if name == "record_informing":
            return self.can_edit
        return super().is_action_allowed(name)

    @action("record_informing", _l("Record informing"))
    def action_record_informing(self, ids):
        """Ask how and when the selected customers were informed (admin_views/informing.py)."""
        return redirect(url_for("informing.record", id=ids, url=self.return_url()))

    def not_informed_url(self, section_code):
        """Return the list of ``section_code``'s customers not yet informed."""
        return self.filtered_url((SECTION_FILTER, section_code), (INFORMED_FILTER, "no"))

    def saved_filters(self):
        """My section (when the user reads several), not yet informed, long inactive."""
        saved = []
        if len(user_sections()) > 1:
            locale = str(get_locale())
            saved += [(_("My section: %(name)s", name=s.name_in(locale)),
                       self.filtered_url((SECTION_FILTER, s.code)))
                      for s in granted_sections()]
        saved.append((_("Not yet informed"), self.filtered_url((INFORMED_FILTER, "no"))))
        saved.append((_("No activity for over %(years)s years", years=SAVED_INACTIVE_YEARS),
                       self.filtered_url((INACTIVE_FILTER, SAVED_INACTIVE_YEARS))))
        return saved

    # --- scope and search ----------------------------------------------------------------

    def scope_condition(self):
        return user_customer_scope()

    def search_condition(self, term):
        # The planner's estimates are asked once a request (PostgreSQL; search_is_capped).
        return customer_search_condition(term, g.setdefault("search_estimates", {}),
                                         sections=all_sections().values())

    def _order_by(self, query, joins, order):
        first = order[0][0] if order else None
        columns = None
        if first is Customer.business_id:
            # "Y-tunnus or birth date": companies by Y-tunnus, persons by birth date.
            columns = (Customer.business_id, Customer.birth_date)
        elif first == "sort_name" if isinstance(first, str) else first is Customer.sort_name:
            # Names tie: the id decides, so every page, shallow or deep (list_blocks), is
            # the same run of one order (the name indexes end in the id: no sort step).
            # (``is``, not ``==``: a peewee field compared with ``==`` is an expression.)
            columns = (Customer.sort_name, Customer.id)
        if columns is None:
            return super()._order_by(query, joins, order)
        desc = order[0][1]
        return query.order_by(*(c.desc() if desc else c.asc() for c in columns)), joins

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        """Find the page's ids on a covering index, then fetch just those rows."""
        if not execute:  # the export streams whole rows
            return super().get_list(page, sort_column, sort_desc, search, filters,
                                    execute=False, page_size=page_size)
        ids = self._deep_name_page(page, sort_column, sort_desc, search, filters, page_size)
        if ids is not None:
            count, g.search_term = None, ""
        else:
            g.ids_only = True
            try:
                count, id_query = super().get_list(page, sort_column, sort_desc, search,
                                                   filters, execute=False, page_size=page_size)
                ids = [row.id for row in id_query]
            finally:
                g.ids_only = False
        by_id = {row.id: row for row in self.page_rows(ids)}
        rows = [by_id[i] for i in ids if i in by_id]
        if g.search_term and not page and len(rows) == (page_size or self.page_size):
            self._tell_if_search_capped()
        return count, rows

    def _deep_name_page(self, page, sort_column, sort_desc, search, filters, page_size):
        """Return the ids of a page far down the name order, or None where OFFSET serves.

        Such a page, unsearched and unfiltered, is found through the list blocks of
        services/list_blocks.py instead of stepping over every name before it.
        """
        if (search or "").strip() or filters or sort_column not in (None, "sort_name"):
            return None
        size = page_size or self.page_size
        offset = (page or 0) * size
        if not list_blocks.applies(offset):
            return None
        sections = policy.limiting_section_ids(user_section_ids(), all_sections())
        return list_blocks.page_ids(sections, offset, size,
                                    descending=bool(sort_desc) and sort_column is not None)

    def page_rows(self, ids):
        """Return the customers ``ids`` the user may see, for one list page."""
        if not ids:
            return []
        return list(self.scoped_query().where(Customer.id.in_(ids)))

    def _tell_if_search_capped(self):
        """Say so when a search matched more customers than the index hands over."""
        if search_is_capped(g.search_term, g.setdefault("search_estimates", {})):
            flash(_("The search matched over %(count)s customers; the list shows the most "
                    "recent of them. Add a word to narrow the search.",
                    count=format_decimal(max_candidates())), "info")

    def search_placeholder(self):
        # The peewee backend has none (the box showed "None"): name what the search reads.
        return ", ".join(str(labels.FIELD_LABELS[name])
                         for name in ("sort_name", "email", "business_id", "phone"))

    def get_query(self):
        query = super().get_query()
        return query.select(Customer.id) if g.get("ids_only") else query

    def section_code_of(self, model):
        return all_sections()[model.section_id].code

    def section_names(self):
        locale = str(get_locale())
        return {i: s.name_in(locale) for i, s in all_sections().items()}

    # --- the section decides the categories ------------------------------------------------

    def _prune_to_section(self, form, section):
        """Remove the fields and inline lists of categories ``section`` does not hold."""
        categories = section.category_set
        for name in list(form._fields):
            category = FIELD_CATEGORIES[Customer].get(name)
            if name in RELATIONS:
                category = RELATIONS[name][1]
            if category is not None and category not in categories:
                del form[name]
        return form

    def _editable_sections(self):
        if not user_may("edit_customers"):
            return []
        return granted_sections()

    def _create_section(self):
        """Return the section a new customer goes to: the only one, or ?section=code."""
        sections = self._editable_sections()
        if len(sections) == 1:
            return sections[0]
        code = request.args.get("section")
        return next((s for s in sections if s.code == code), None)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        if not self.can_create:
            abort(403)
        section = self._create_section()
        if section is None:
            locale = str(get_locale())
            return self.render("admin/customer_choose_section.html",
                               sections=[(s.code, s.name_in(locale))
                                         for s in self._editable_sections()],
                               return_url=self.return_url())
        g.create_section = section
        if request.method == "POST" and request.form.get("fill_existing"):
            filled = self._fill_existing(section)
            if filled is not None:
                return filled
        return super().create_view()

    def _fill_existing(self, section):
        """Fill the empty fields of the likely duplicate the user chose on the warning
        from the new customer's form (valid as a new customer would have to be), instead
        of creating one; None (the form again) when the form or the choice is not."""
        form = self.create_form()
        if not super().validate_form(form):
            return None
        chosen = chosen_match(form, section.id, user_customer_scope(),
                              request.form.get("fill_existing"))
        if chosen is None:
            return None
        # Another customer's Y-tunnus is not given to the match unasked: the form again,
        # with the Y-tunnus question (validate_form).
        confirmed = getattr(form, "different_company", None)
        if not (confirmed is not None and confirmed.data) and any(
                c.id != chosen for c in self._same_business_id(form)):
            return None
        if not fill_existing(section, chosen, customer_values(form),
                             current_user._get_current_object(), form):
            return None  # the form again, saying why
        return redirect(url_for(".details_view", id=chosen))

    def create_form(self, obj=None):
        form = super().create_form(obj)
        return self._prune_to_section(form, g.create_section)

    def edit_form(self, obj=None):
        edited = _EditedCustomer(obj)
        form = super().edit_form(edited)
        form.editing = edited  # its rows as the form read them: the checks read no more
        form.rows_read = edited.rows  # … nor does the save (save_inline_rows)
        for name, count in edited.not_shown.items():
            if count and name in form:
                form[name].rows_shown = EDIT_HISTORY_ROWS
                form[name].rows_not_shown = count
                form[name].rows_url = url_for(".details_view", id=obj.id,
                                              _anchor=HISTORY_LISTS[name])
        return self._prune_to_section(form, all_sections()[obj.section_id])

    def validate_form(self, form):
        """Validate; then refuse a Y-tunnus another customer of the section has, unless the
        user confirms this is a different company (the existing ones are named with links).
        """
        valid = super().validate_form(form)
        if not hasattr(form, "different_company"):
            return valid  # the delete and action forms
        duplicates = self._same_business_id(form) if is_form_submitted() else []
        if duplicates and not form.different_company.data:
            del form["create_anyway"]
            form.duplicate_customers = duplicates
            form.business_id.errors = list(form.business_id.errors) + [_(
                "Another customer of this section already has this Y-tunnus: see the "
                "customers named above the form. If this is the same company, open it there "
                "instead. Save only if this is a different company, and tick the box below "
                "to say so.")]
            return False
        if duplicates:
            form.duplicate_customers = duplicates  # confirmed different: still shown
        else:
            del form["different_company"]
        # The new customer's other likely duplicates are asked about even so.
        creating = is_form_submitted() and getattr(form, "editing", None) is None
        section_id = g.create_section.id if creating else None
        return check_new_customer(form, section_id, user_customer_scope(), valid, creating,
                                  confirmed=("business_id",) if duplicates else ())

    def _same_business_id(self, form):
        """Return the other customers of the form's section with its (valid) Y-tunnus.

        An edit that keeps the Y-tunnus is not asked again.
        """
        field = getattr(form, "business_id", None)
        if field is None or field.errors or not (field.data or "").strip():
            return []
        editing = getattr(form, "editing", None)
        if editing is not None and editing.business_id == field.data:
            return []
        section = editing.section_id if editing is not None else g.create_section.id
        query = self.scoped_query().where((Customer.section == section)
                                          & (Customer.business_id == field.data))
        if editing is not None:
            query = query.where(Customer.id != editing.id)
        return list(query.order_by(Customer.id).limit(10))

    def on_form_prefill(self, form, id):
        # A GET shows the version the user is editing; a re-shown form keeps the posted one.
        if request.method == "GET" and hasattr(form, "version"):
            form.version.data = self.get_one(id).version

    def on_model_change(self, form, model, is_created):
        customer_rules.stamp_saved(model, is_created, g.create_section if is_created else None)

    def after_save(self, form, model, is_created, fields):
        if {"events", "purchases", "invoices"} & set(fields):
            customer_rules.refresh_last_activity(model.id)
        if "addresses" in fields:
            customer_rules.refresh_city(model.id)

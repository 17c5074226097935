"""Invoices and their collection, across the customers of the sections that keep billing."""

from flask import g
from flask_admin.contrib.peewee.filters import DateBetweenFilter
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from admin_views.base import (
    ChoiceFilter,
    RegisterModelView,
    all_sections,
    local_date,
    user_sections,
)
from forms.customers import ROW_FORM_ARGS
from models import Customer, Invoice, Section
from services import policy
from services.versioning import next_version
from services.vocabulary import customers as labels


def billing_section_ids():
    """Return the user's section ids whose data categories include billing."""
    return [s.id for s in user_sections() if "billing" in s.category_set]


def billing_scope():
    """The condition limiting customers to the user's sections that keep billing."""
    return policy.customer_scope(billing_section_ids(), all_sections())


class InvoiceView(RegisterModelView):
    """Invoices of the customers the user may see, in sections that keep billing."""

    audit_object_type = "invoice"
    can_view_details = False
    column_list = ("number", "customer", "invoice_date", "due_date", "amount", "paid_on",
                   "collection_state")
    column_labels = labels.FIELD_LABELS
    column_sortable_list = ("number", "invoice_date", "due_date", "amount")
    column_default_sort = ("invoice_date", True)
    column_filters = (
        ChoiceFilter(Invoice.collection_state, _l("Collection"), labels.COLLECTION_STATE_LABELS),
        DateBetweenFilter(Invoice.due_date, _l("Due date")),
    )
    column_formatters = {
        "customer": lambda view, context, model, name: model.customer.display_name,
        "collection_state": lambda view, context, model, name:
            labels.COLLECTION_STATE_LABELS.get(model.collection_state),
        "amount": lambda view, context, model, name: format_decimal(model.amount, "#,##0.00"),
        "invoice_date": lambda view, context, model, name: local_date(model.invoice_date, "medium"),
        "due_date": lambda view, context, model, name: local_date(model.due_date, "medium"),
        "paid_on": lambda view, context, model, name: local_date(model.paid_on, "medium"),
    }
    column_formatters_export = column_formatters
    # A million customers do not fit a <select>: the customer is looked up as one types,
    # among the customers in scope only.
    form_ajax_refs = {"customer": {"fields": ["sort_name"], "page_size": 10,
                                   "placeholder": _l("Type the customer's name")}}
    form_args = ROW_FORM_ARGS[Invoice]

    def is_accessible(self):
        return super().is_accessible() and bool(billing_section_ids())

    def scope_condition(self):
        return Invoice.customer.in_(
            Customer.select(Customer.id).where(billing_scope()))

    def get_query(self):
        # The customer's name in the list: joined, not one query per row.
        return super().get_query().join(Customer).switch(Invoice).select_extend(
            Customer.id, Customer.kind, Customer.first_name, Customer.last_name, Customer.name)

    def scope_for(self, model):
        if model is Customer:
            return lambda: Customer.select().where(billing_scope())
        return super().scope_for(model)

    def section_code_of(self, model):
        return (Section.select(Section.code).join(Customer)
                .where(Customer.id == model.customer_id).scalar())

    # An invoice is the customer's data: saved or deleted here, it moves the customer's
    # version, so a customer form or a rectification prepared before it is stale (as a
    # change on the customer's own form would make it), not written over it.

    def update_model(self, form, model):
        g.invoice_customer_before = model.customer_id
        return super().update_model(form, model)

    def after_save(self, form, model, is_created, fields):
        from services.customers import refresh_last_activity

        refresh_last_activity(model.customer_id)
        _move_versions({model.customer_id, g.pop("invoice_customer_before", None)})

    def on_model_delete(self, model):
        super().on_model_delete(model)
        _move_versions({model.customer_id})


def _move_versions(customer_ids):
    """Move the version of the customers ``customer_ids`` on (inside the write)."""
    ids = [i for i in customer_ids if i is not None]
    Customer.update(next_version(Customer)).where(Customer.id.in_(ids)).execute()

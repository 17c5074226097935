"""The possible duplicates of a section (issue 15): pairs of customers already in the
register that may be the same, by reason, paged (services/duplicates/pairs.py).

Read by the roles that read customers (capability ``find_duplicates``), for the sections
they read only: another section's code is a 404. Each pair links to both customers and
to the merge page (/customers/merge/?a=ID&b=ID) for the users who may merge.
"""

import datetime

from flask import abort, current_app, jsonify, request
from flask_admin import expose
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from admin_views.base import (
    SecureBaseView,
    page_number,
    scoped_customers,
    user_may,
    user_sections,
)
from models import Customer
from services.duplicates import (
    CHECKED_FIELDS,
    DUPLICATE_REASONS,
    PAGE_SIZE,
    find_duplicates,
    possible_pairs,
)
from services.vocabulary.customers import DUPLICATE_REASON_LABELS

MERGE_PATH = "/customers/merge/"


def merge_page_exists():
    """Tell whether the register has the merge page (another part of the work adds it)."""
    try:
        current_app.url_map.bind("localhost").match(MERGE_PATH)
    except HTTPException:
        return False
    return True


class DuplicatesView(SecureBaseView):
    """Pairs of possible duplicate customers of one section."""

    capability = "find_duplicates"

    def is_accessible(self):
        return super().is_accessible() and bool(user_sections())

    def _section(self):
        sections = user_sections()
        code = request.args.get("section")
        if not code:
            return sections[0]
        section = next((s for s in sections if s.code == code), None)
        if section is None:
            abort(404)
        return section

    @expose("/")
    def index(self):
        section = self._section()
        reason = request.args.get("reason") or DUPLICATE_REASONS[0]
        if reason not in DUPLICATE_REASONS:
            abort(404)
        page = page_number(request.args.get("page"))
        pairs, more = possible_pairs(section.id, reason, page - 1)
        ids = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
        customers = {c.id: c for c in scoped_customers().where(Customer.id.in_(list(ids)))} \
            if ids else {}
        locale = str(get_locale())
        return self.render(
            "duplicates/index.html",
            section=section,
            sections=[(s.code, s.name_in(locale)) for s in user_sections()],
            reason=reason,
            reasons=[(r, DUPLICATE_REASON_LABELS[r]) for r in DUPLICATE_REASONS],
            pairs=[(pair, customers[pair.first_id], customers[pair.second_id])
                   for pair in pairs
                   if pair.first_id in customers and pair.second_id in customers],
            page=page,
            more=more,
            page_size=PAGE_SIZE,
            merge_path=MERGE_PATH if merge_page_exists() and user_may("merge_customers")
            else None,
        )

    @expose("/check/")
    def check(self):
        """The duplicate check of one customer as JSON: ``?section=CODE`` and the customer
        form's field names (``birth_date`` as YYYY-MM-DD); the section's matches, strongest
        first, each ``{"customer_id", "reason", "score"}``."""
        section = self._section()
        values = {name: request.args.get(name) for name in CHECKED_FIELDS}
        try:
            values["birth_date"] = datetime.date.fromisoformat(request.args.get("birth_date"))
        except (TypeError, ValueError):
            values["birth_date"] = None
        matches = find_duplicates(section.id, values)
        return jsonify([{"customer_id": m.customer_id, "reason": m.reason, "score": m.score}
                        for m in matches])

"""The marketing list page (seed §5): a CSV for the city's own mailing, for internal use only.

Staff and handlers make lists of their own sections. The controller and the responsible
person read every section, and may make a list of any section too: a list reveals no
more than they already read, and every export is in the audit log with its counts.
Technical maintenance is refused (403).

The page counts first — how many customers the list holds, how many a prohibition left
out, and whose email or mobile number was left out for want of a consent — and offers the
download for exactly the choices it counted.
"""

from flask import abort, flash, request, stream_with_context
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import (
    SecureBaseView,
    download,
    user_section_ids,
    user_sections,
)
from database import write_transaction
from forms.data_rights import MarketingListForm, select_choices
from models import db
from services import marketing
from services.exports import CSV_CONTENT_TYPE
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.vocabulary.customers import CUSTOMER_LANGUAGE_LABELS, FIELD_LABELS
from services.vocabulary.rights import CONSENT_CHANNEL_LABELS


class MarketingListView(SecureBaseView):
    """Choose, count and download a marketing list."""

    capability = "use_register"

    def is_accessible(self):
        return super().is_accessible() and bool(user_section_ids())

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = self._form()
        counts = None
        if request.method == "POST" and form.validate():
            criteria = self._criteria(form)
            if criteria is not None:
                counts = marketing.count(criteria)
                form.counted.data = form.key()
        return self._page(form, counts)

    @expose("/download/", methods=("POST",))
    def download(self):
        form = self._form()
        if not form.validate():
            return self._page(form, None)
        criteria = self._criteria(form)
        if criteria is None:
            return self._page(form, None)
        counts = marketing.count(criteria)
        if form.counted.data != form.key():
            # The choices changed after counting: show the new counts before any download.
            flash(_("The choices changed after the list was counted. Check the new counts, "
                    "then download the list."), "info")
            form.counted.data = form.key()
            return self._page(form, counts)
        section = next(s for s in user_sections() if s.id == criteria.section_id)
        with write_transaction():
            marketing.record_export(criteria, counts, current_user._get_current_object(),
                                    section.code)
        header = [str(self.column_titles()[name]) for name in marketing.COLUMNS]

        def chunks():
            db.connect(reuse_if_open=True)
            yield from marketing.csv_chunks(criteria, header)

        today = helsinki_today().isoformat()
        filename = f"marketing-list-{section.code}-{criteria.language}-{today}.csv"
        return download(stream_with_context(chunks()), filename, CSV_CONTENT_TYPE)

    # --- helpers ------------------------------------------------------------------------

    def _form(self):
        form = MarketingListForm(request.form if request.method == "POST" else None)
        locale = str(get_locale())
        form.section.choices = select_choices(
            (str(s.id), s.name_in(locale)) for s in user_sections())
        form.language.choices = select_choices(CUSTOMER_LANGUAGE_LABELS.items())
        return form

    def _criteria(self, form):
        """Return the form's choices as marketing.Criteria, or None (with a message)."""
        try:
            section_id = int(form.section.data)
        except (TypeError, ValueError):
            abort(404)
        if section_id not in user_section_ids():
            abort(404)
        try:
            return marketing.Criteria(
                section_id=section_id,
                language=form.language.data,
                purpose=form.purpose.data,
                kind=form.kind.data or None,
                postal_prefix=(form.postal_prefix.data or "").strip(),
            )
        except RegisterError as ex:
            flash(_(ex.message, **ex.params), "error")
            return None

    def _page(self, form, counts):
        return self.render("data_rights/marketing.html", form=form, counts=counts,
                           columns=[self.column_titles()[n] for n in marketing.COLUMNS],
                           channel_labels=CONSENT_CHANNEL_LABELS)

    @staticmethod
    def column_titles():
        """Return the list's column titles in the user's language."""
        return {
            "name": FIELD_LABELS["sort_name"],
            "contact_person": _("Contact person"),
            "street": FIELD_LABELS["street"],
            "postal_code": FIELD_LABELS["postal_code"],
            "city": FIELD_LABELS["city"],
            "email": FIELD_LABELS["email"],
            "mobile": FIELD_LABELS["mobile"],
            "language": FIELD_LABELS["language"],
        }

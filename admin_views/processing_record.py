"""The record of processing activities (GDPR Art. 30(1)) for the controller: a page, a PDF
and an XLSX workbook, from the newest publication of the register description
(``services.register_description.build_record``). Under the menu "Settings".

``?lang=fi|sv|en`` chooses the record's language (by default the page's).
"""

from flask import request
from flask_admin import expose
from flask_babel import get_locale

from admin_views.base import SecureBaseView, download
from services import register_settings
from services.exports import PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE
from services.register_description import (
    LANGUAGES,
    build_record,
    document_language,
    render_pdf,
    render_xlsx,
)


class ProcessingRecordView(SecureBaseView):
    """The Art. 30 record of the newest publication."""

    capability = "read_processing_record"

    def _record(self):
        lang = document_language(request.args.get("lang") or str(get_locale()))
        return build_record(register_settings.ensure_published(), lang)

    @expose("/")
    def index(self):
        """Show the record, with its downloads."""
        record = self._record()
        return self.render("public/record.html", document=record, languages=LANGUAGES)

    @expose("/record.pdf")
    def pdf(self):
        """Download the record as PDF."""
        record = self._record()
        return download(render_pdf(record), f"{record['file_name']}.pdf", PDF_CONTENT_TYPE)

    @expose("/record.xlsx")
    def xlsx(self):
        """Download the record as XLSX."""
        record = self._record()
        return download(render_xlsx(record), f"{record['file_name']}.xlsx", XLSX_CONTENT_TYPE)

"""The inspection report (seed §14; GDPR Art. 15): everything the register holds on a subject.

The report is built by walking the models and ``models.FIELD_CATEGORIES`` (as
``services.categories`` reads it): the subject's own row field by field, then every model in
the map that references the subject's model (``Customer`` or ``ContactPerson``), each of
their fields in the map. A field or a model
added to the map later appears in the report without a change here.

Whatever the section, whoever asks: the report shows every data category that holds
something on the subject, and names the categories that hold nothing.

Each customer's disclosures (``services.disclosures.disclosures_of``) are listed as well:
to whom, why, which categories and when (GDPR Art. 15(1)(c)).

Reads are batched: one query for the subjects, one per referencing model and one per kind
of row referenced (sections, user accounts, …), however many rows and subjects — a fixed
number of queries, never one per row.

``build_report`` returns a plain dict (JSON-serialisable, every label already in the
document's language) that the three renderings read: the HTML page
(``templates/report/report.html``), ``render_pdf`` (``services/report_pdf.py``) and
``render_json``.

The parts: ``building`` (who may read a report, building it, JSON), ``sections`` (the
document's parts: the request, each subject's tables, the disclosures) and ``context``
(the batched reads and the document's language).
"""

from services.report.building import (
    ReportNotReady,
    build_report,
    build_report_for,
    may_read_report,
    render_json,
    report_language,
)
from services.report.context import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TABLE_MAX_COLUMNS,
)
from services.catalogs import TRANSLATIONS_DIR


def render_pdf(report):
    """Return the report as a PDF (bytes): ``services.report_pdf.render_pdf``, imported
    when a PDF is first asked for — fpdf2 and its font tools are 30 MB of every server
    process that never writes one."""
    from services.report_pdf import render_pdf as render

    return render(report)


__all__ = [
    "render_pdf",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "ReportNotReady",
    "TABLE_MAX_COLUMNS",
    "TRANSLATIONS_DIR",
    "build_report",
    "build_report_for",
    "may_read_report",
    "render_json",
    "report_language",
]

"""The register's public documents (seed §13, §17; GDPR Art. 13, 14 and 30), generated
from a publication (``services.register_settings``): its settings version and the live
configuration it froze. Every fact comes from the publication; the headings and the
sentences that join the facts are ``texts`` (Finnish, Swedish, English).

- ``description``: the register description under the seed's 18 headings;
- ``notice``: the privacy notice in GDPR Art. 13/14 order, and the Art. 30(1) record of
  processing activities (for the controller);
- ``changes``: what changed since the version before, heading by heading;
- ``rendering``: PDF (and the record as XLSX);
- ``reference``: the notice in force at a moment (the inspection report names it).

No Flask here: the pages (``admin_views/public.py``) and the report call these.
"""

from services.register_description.changes import BUILDERS, changes, paragraphs
from services.register_description.description import build_description
from services.register_description.document import (
    DEFAULT_LANGUAGE,
    document_language,
    versions,
)
from services.register_description.notice import build_notice, build_record
from services.register_description.reference import notice_in_force
from services.register_description.rendering import render_pdf, render_xlsx
from services.register_description.texts import LANGUAGES

__all__ = [
    "BUILDERS", "DEFAULT_LANGUAGE", "LANGUAGES", "build_description", "build_notice",
    "build_record", "changes", "document_language", "notice_in_force", "paragraphs",
    "render_pdf", "render_xlsx", "versions",
]

"""The register's public documents, read without logging in (seed §13): the register
description and the privacy notice.

``/register-description/`` and ``/privacy-notice/`` show the newest publication (the
first is made from the settings the first time one is asked for);
``/register-description/<n>/`` and ``/privacy-notice/<n>/`` show publication ``n`` as it
was published, with its date, what changed since the one before and links to its
neighbours; ``…/<n>.pdf`` is the same as PDF; ``…/versions/`` lists every publication.
``?lang=fi|sv|en`` chooses the document's language (Finnish by default), and the whole
page — its ``lang``, its links and buttons — speaks it. Every word of a document comes
from the publication and ``services.register_description``; nothing here names a fact.
"""

import collections
import threading

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import force_locale

from admin_views.base import download
from services import register_settings
from services.exports import PDF_CONTENT_TYPE
from services.register_description import (
    BUILDERS,
    LANGUAGES,
    changes,
    document_language,
    render_pdf,
    versions,
)

bp = Blueprint("public", __name__)

# The two public documents: the address each is read at.
PATHS = {"description": "/register-description", "notice": "/privacy-notice"}
# Publication numbers are stored as 32-bit integers: a larger one is not found.
MAX_NUMBER = 2**31 - 1
# The public PDFs kept made, the latest ones asked for (two documents, three languages,
# and an older version or two).
PDFS_KEPT = 12
_PDFS_LOCK = threading.Lock()
# The endpoints above, all in admin_views.auth.PUBLIC_ENDPOINTS (a test holds them equal).
ENDPOINTS = {f"public.{name}" for name in ("latest", "version", "pdf", "versions")}


def init_app(app):
    """Add the public pages to ``app``."""
    app.register_blueprint(bp)


def _add_rules():
    for kind, path in PATHS.items():
        defaults = {"kind": kind}
        bp.add_url_rule(f"{path}/", "latest", latest, defaults=defaults)
        bp.add_url_rule(f"{path}/<int:number>/", "version", version, defaults=defaults)
        bp.add_url_rule(f"{path}/<int:number>.pdf", "pdf", pdf, defaults=defaults)
        bp.add_url_rule(f"{path}/versions/", "versions", version_list, defaults=defaults)


def _language():
    return document_language(request.args.get("lang"))


def _publication_or_404(number):
    pub = register_settings.publication(number) if number <= MAX_NUMBER else None
    if pub is None:
        abort(404)
    return pub


def latest(kind):
    """Show the newest published version of the document ``kind``."""
    return _page(kind, register_settings.ensure_published(), newest=True)


def version(kind, number):
    """Show published version ``number`` of the document ``kind``."""
    return _page(kind, _publication_or_404(number))


def pdf(kind, number):
    """Return published version ``number`` of the document ``kind`` as PDF.

    A publication never changes, so its PDF is made once per language and kept (the
    latest PDFS_KEPT of them): made on every request, a few visitors fetching it in a loop
    kept every worker of the server busy (about 0.6 s of a core each).
    """
    pub, lang = _publication_or_404(number), _language()
    key = (kind, pub.id, pub.number, lang)
    with _PDFS_LOCK:  # one made at a time: a flood of requests waits for the first
        kept = current_app.extensions.setdefault("public_pdfs", collections.OrderedDict())
        if key not in kept:
            document = BUILDERS[kind](pub, lang)
            kept[key] = (render_pdf(document), f"{document['file_name']}.pdf")
            while len(kept) > PDFS_KEPT:
                kept.popitem(last=False)
        kept.move_to_end(key)
        content, file_name = kept[key]
    return download(content, file_name, PDF_CONTENT_TYPE, inline=True)


def version_list(kind):
    """List every published version of the document ``kind``."""
    lang = _language()
    register_settings.ensure_published()
    with force_locale(lang):
        return render_template("public/versions.html", kind=kind, lang=lang,
                               versions=versions(lang), languages=LANGUAGES,
                               other=_other(kind))


def _page(kind, pub, newest=False):
    lang = _language()
    newest_pub = pub if newest else register_settings.latest()
    earlier = register_settings.previous(pub)
    later = (register_settings.publication(pub.number + 1)
             if newest_pub.number > pub.number else None)
    with force_locale(lang):
        return render_template(
            "public/document.html", kind=kind, lang=lang, languages=LANGUAGES,
            document=BUILDERS[kind](pub, lang), changes=changes(pub, earlier, lang, kind),
            earlier=earlier, later=later, newest=newest_pub, other=_other(kind),
            here=url_for(request.endpoint, **request.view_args))


def _other(kind):
    return "notice" if kind == "description" else "description"


_add_rules()


@bp.errorhandler(404)
def not_found(error):
    """A version never published: said in the document's language, for the public, with the
    way to the newest version and to the list of versions."""
    kind = (request.view_args or {}).get("kind", "description")
    lang = _language()
    with force_locale(lang):
        return render_template("public/not_found.html", kind=kind, lang=lang,
                               languages=LANGUAGES), 404

"""The privacy notice in force at a moment, as a document made then (the inspection
report) names it: its number and date, in the document's language."""

import peewee as pw

from models import Publication
from services.register_description.document import Reader


def notice_in_force(moment, lang):
    """Return ``{"number", "language", "date", "text"}`` of the notice in force at
    ``moment`` (naive UTC): the newest published by then.

    Before the first publication, the first: it froze the settings the register had
    until then. None when nothing is published yet (``ensure_published`` publishes the
    first, as the report's page does before it builds a report). One query.
    """
    # Those published by then rank by their number, the later ones after every one of
    # them, the earliest first.
    rank = pw.Case(None, [(Publication.published_at <= moment, Publication.number)],
                   pw.Value(0) - Publication.number)
    pub = Publication.select().order_by(rank.desc()).first()
    if pub is None:
        return None
    r = Reader(pub, lang)
    date = r.date(pub.published_at)
    return {"number": pub.number, "language": r.lang, "date": date,
            "text": r.say("notice_in_force", number=pub.number, date=date)}

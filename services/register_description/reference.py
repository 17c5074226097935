"""The privacy notice in force at a moment, as a document made then (the inspection
report) names it: its number and date, in the document's language."""

from services.register_description.document import Reader
from services.register_settings import ensure_published, in_force, latest


def notice_in_force(moment, lang):
    """Return ``{"number", "date", "text"}`` of the notice in force at ``moment`` (naive
    UTC), or None when none was published by then.

    A register that has published nothing yet publishes its first version now (as its
    public pages would), so a document made today names it.
    """
    pub = in_force(moment)
    if pub is None and latest() is None:
        pub = ensure_published()
    if pub is None:
        return None
    r = Reader(pub, lang)
    date = r.date(pub.published_at)
    return {"number": pub.number, "language": r.lang, "date": date,
            "text": r.say("notice_in_force", number=pub.number, date=date)}

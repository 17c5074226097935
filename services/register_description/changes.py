"""What changed in a published document since the version before, heading by heading:
the paragraphs (and list items) removed and added, compared with ``difflib``."""

import difflib

from services.register_description.description import build_description
from services.register_description.document import Reader
from services.register_description.notice import build_notice, build_record

BUILDERS = {"description": build_description, "notice": build_notice, "record": build_record}


def paragraphs(part):
    """Return a part's text as a list of paragraphs, a list's items each one "• item"."""
    found = []
    for block in (part or {}).get("blocks", []):
        if block.get("text"):
            found.append(block["text"])
        found += [f"• {item}" for item in block.get("items", [])]
    return found


def changes(pub, previous_pub, lang, kind="description"):
    """Return what changed in document ``kind`` from ``previous_pub`` to ``pub`` in ``lang``.

    ``{"title", "summary", "parts": [{"code", "heading", "removed", "added"}], "removed",
    "added"}``: ``summary`` says there are no changes (or that this is the first version)
    when ``parts`` is empty.
    """
    r = Reader(pub, lang)
    words = {"removed": r.words["removed"], "added": r.words["added"]}
    if previous_pub is None:
        return {"title": "", "summary": r.say("first_version"), "parts": [], **words}
    build = BUILDERS[kind]
    new, old = build(pub, r.lang), build(previous_pub, r.lang)
    old_parts = {p["code"]: p for p in old["parts"]}
    new_codes = {p["code"] for p in new["parts"]}
    parts = []
    for p in new["parts"] + [p for p in old["parts"] if p["code"] not in new_codes]:
        before, after = paragraphs(old_parts.get(p["code"])), paragraphs(
            p if p["code"] in new_codes else None)
        if before == after:
            continue
        removed, added = [], []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                removed += before[i1:i2]
                added += after[j1:j2]
        parts.append({"code": p["code"], "heading": p["heading"], "removed": removed,
                      "added": added})
    number = previous_pub.number
    return {"title": r.say("changes_title", number=number),
            "summary": "" if parts else r.say("no_changes", number=number),
            "parts": parts, **words}

"""The facts the documents share, read from a publication: purposes with their lawful
bases, each section's data categories and retention period, the recipients, the roles."""

from services.register_description.document import items, para
from services.register_settings import ARTICLE_POINTS
from services.vocabulary.administration import LAWFUL_BASIS_LABELS, ROLE_DUTIES, ROLE_LABELS
from services.vocabulary.customers import CATEGORY_LABELS
from services.vocabulary.rights import RECORD_KIND_LABELS


def purposes(r):
    """Return each purpose with the sentence naming its lawful basis (GDPR Art. 6(1))."""
    found = []
    for purpose in r.settings.get("purposes") or []:
        text = r.text(purpose.get("text")).strip()
        basis = purpose.get("basis")
        if text and basis in LAWFUL_BASIS_LABELS:
            label = r.label(LAWFUL_BASIS_LABELS[basis]).lower()
            text = f"{text} {r.say('basis', basis=label, point=ARTICLE_POINTS[basis])}"
        found.append(text)
    return items(found)


def category_names(r, section):
    """Return the names of a live section's data categories in the document's language."""
    return [r.label(CATEGORY_LABELS[code]) for code in section.get("categories") or []
            if code in CATEGORY_LABELS]


def categories(r, intro_key):
    """Return the blocks naming each section's data categories, under the sentence
    ``intro_key``."""
    blocks = [para(r.say(intro_key))] if r.sections() else []
    for section in r.sections():
        blocks.append(para(r.say("section_has", section=r.text(section.get("name")))))
        blocks.append(items(category_names(r, section)))
    return blocks


def recipients(r):
    """Return the blocks of the regular recipients (or that there are none), and that
    research gets statistics only; nothing when the snapshot does not say."""
    if "recipients" not in r.live:
        return []
    names = [r.text(recipient.get("name")) for recipient in r.live["recipients"]]
    if not names:
        return [para(r.say("no_recipients")), para(r.say("statistics_only"))]
    return [para(r.say("recipients_intro")), items(names), para(r.say("statistics_only"))]


def retention(r):
    """Return the blocks of each section's retention period and the accounting years."""
    lines = []
    for section in r.sections():
        months = section.get("retention_months")
        if months is None:
            continue
        name = r.text(section.get("name"))
        key = "retention_years" if months % 12 == 0 else "retention_months"
        lines.append(r.say(key, section=name, months=months, years=months // 12))
    blocks = [para(r.say("retention_intro")), items(lines)] if lines else []
    if r.live.get("accounting_years") is not None:
        blocks.append(para(r.say("accounting", years=r.live["accounting_years"])))
    records = [rule for rule in r.live.get("record_retention") or []
               if rule.get("kind") in RECORD_KIND_LABELS]
    if records:
        blocks.append(para(r.say("records_intro")))
        blocks.append(items([
            r.say("record_rule_one" if rule["months"] == 1 else "record_rule",
                  kind=r.label(RECORD_KIND_LABELS[rule["kind"]]), months=rule["months"])
            for rule in records]))
    return blocks


def roles(r):
    """Return the blocks naming the register's roles and what each does."""
    codes = [code for code in r.live.get("roles") or [] if code in ROLE_LABELS]
    if not codes:
        return []
    return [para(r.say("roles_intro")),
            items([r.say("role", role=r.label(ROLE_LABELS[code]),
                         duties=r.label(ROLE_DUTIES[code])) for code in codes])]


def supervisory(r):
    """Return the supervisory authority's name, address and web address as lines."""
    found = r.settings.get("supervisory") or {}
    return [line for line in (r.text(found.get("name")), r.text(found.get("address")),
                              found.get("web") or "") if line]

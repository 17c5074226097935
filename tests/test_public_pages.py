"""The public register description and privacy notice (seed §13), the record of processing
(GDPR Art. 30) and the inspection report's reference to the notice in force.

The pages are read logged out, through the real app, in Finnish, Swedish and English, and
compared with what the register is configured with (``live_configuration``) and with the
settings (names of people): every fact on them must come from there.
"""

import html
import io
import json
import re

import pytest
from openpyxl import load_workbook

from admin_views import public
from admin_views.auth import PUBLIC_ENDPOINTS
from models import Publication, Section, db
from services import register_settings
from services.catalogs import translate
from services.errors import RegisterError
from services.register_description import notice_in_force
from services.register_settings import flatten, live_configuration
from services.retention.records import set_rule
from services.retention.settings import set_months
from services.vocabulary.administration import LAWFUL_BASIS_LABELS, ROLE_LABELS
from services.vocabulary.customers import CATEGORY_LABELS
from services.vocabulary.rights import RECORD_KIND_LABELS
from tests.conftest import user
from tests.test_report import make_request, page_text, pdf_text

PEOPLE = ("controller", "responsible", "handler_t", "staff_t", "maint")
LANGUAGES = ("fi", "sv", "en")
MONTHS = {"fi": "kuukautta", "sv": "månader", "en": "months"}
DOCUMENTS = ("/register-description", "/privacy-notice")


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.location)
    return response


def _listed_after(markup, intro):
    """Return the items of the list that follows the paragraph ``intro``."""
    match = re.search(rf"<p>{re.escape(html.escape(intro))}</p>\s*<ul>(.*?)</ul>", markup,
                      re.S)
    assert match, f"no list after {intro!r}"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))]


def _publish_changes(controller, months=None, handler_name=None):
    """Change a retention period or the tourism handler's name, and publish."""
    if months is not None:
        set_months(Section.get(code="tourism"), months, controller)
    if handler_name is not None:
        current = register_settings.current()
        flat = flatten(current.data)
        flat["handlers.tourism.name"] = handler_name
        register_settings.save(controller, flat, current.number)
    return register_settings.publish(controller)


# --- the pages, logged out ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", DOCUMENTS)
def test_the_pages_match_the_live_configuration_logged_out(client, app, lang, path):
    response = _get(client, f"{path}/?lang={lang}")
    markup = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in markup
    live = live_configuration()
    assert len(live["sections"]) >= 2 and live["recipients"]
    for section in live["sections"]:
        name = section["name"][lang]
        # Exactly the section's categories, by the register's names in the language.
        expected = [translate(CATEGORY_LABELS[code], lang) for code in section["categories"]]
        assert _listed_after(markup, f"{name}:") == expected
        months = section["retention_months"]
        assert f"{name}: {months} {MONTHS[lang]}" in page_text(markup)
    for recipient in live["recipients"]:
        assert html.escape(recipient["name"][lang]) in markup
    # The two sections hold different categories: the lists differ.
    tourism, business = live["sections"][:2]
    assert set(tourism["categories"]) != set(business["categories"])
    assert "billing" in tourism["categories"] and "billing" not in business["categories"]
    # The settings' people and the language's own words.
    text = page_text(markup)
    for name in ("Nyrki Tuominen", "Tuulikki Becker", "Susanna Sinervuo"):
        assert name in text
    settings = register_settings.document()
    assert settings["register_name"][lang] in text
    for source in settings["sources"]:
        assert source[lang] in text
    for purpose in settings["purposes"]:  # each purpose with its lawful basis, by name
        basis = translate(LAWFUL_BASIS_LABELS[purpose["basis"]], lang).lower()
        assert f"{purpose['text'][lang]} " in text and f": {basis} (" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_description_has_the_18_headings_in_order_and_the_roles(client, app, lang):
    markup = _get(client, f"/register-description/?lang={lang}").get_data(as_text=True)
    headings = re.findall(r"<h2 id=\"part-[a-z_]+\">(\d+) ", markup)
    assert headings == [str(n) for n in range(1, 19)]
    assert re.findall(r"<h([1-6])", markup)[0] == "1"  # one h1 before the h2s
    text = page_text(markup)
    for code in live_configuration()["roles"]:
        assert translate(ROLE_LABELS[code], lang) in text
    assert "Eero Holstila" in text  # 17: the decision maker from the settings


@pytest.mark.parametrize("lang, line", [
    ("fi", "Epäonnistuneet kirjautumiset: 2 kuukautta"),
    ("sv", "Misslyckade inloggningar: 2 månader"),
    ("en", "Failed logins: 2 months"),
])
def test_the_rules_of_the_registers_own_records_are_published(client, app, people, lang, line):
    register_settings.ensure_published()
    set_rule("login_failures", 2, people["controller"])
    old = page_text(_get(client, f"/register-description/1/?lang={lang}").get_data(as_text=True))
    assert line not in old
    register_settings.publish(people["controller"])
    for path in ("/register-description/2/", "/privacy-notice/2/"):
        text = page_text(_get(client, f"{path}?lang={lang}").get_data(as_text=True))
        assert line in text, path
        assert translate(RECORD_KIND_LABELS["audit_log"], lang) + ": 60" in text


def test_a_changed_retention_period_is_in_the_next_version_only(client, app, people):
    first = register_settings.ensure_published()
    second = _publish_changes(people["controller"], months=84)
    assert (first.number, second.number) == (1, 2)
    new = page_text(_get(client, "/register-description/2/").get_data(as_text=True))
    old = page_text(_get(client, "/register-description/1/").get_data(as_text=True))
    latest = page_text(_get(client, "/register-description/").get_data(as_text=True))
    assert "Matkailu- ja kongressitoimisto: 84 kuukautta (7 vuotta)" in new
    assert "Matkailu- ja kongressitoimisto: 60 kuukautta (5 vuotta)" in old
    assert "84 kuukautta" not in old
    assert "Matkailu- ja kongressitoimisto: 60" not in new.split("Muutokset edelliseen")[0]
    assert "Versio 2" in latest and "84 kuukautta" in latest
    # What changed since version 1: the old line removed, the new one added, nothing else.
    changes = new.split("Muutokset edelliseen versioon 1", 1)[1]
    assert "Poistettu: • Matkailu- ja kongressitoimisto: 60 kuukautta (5 vuotta)" in changes
    assert "Lisätty: • Matkailu- ja kongressitoimisto: 84 kuukautta (7 vuotta)" in changes
    assert changes.count("Poistettu") == 1
    assert "Tämä on ensimmäinen julkaistu versio." in old
    # The notice in Swedish says it too, and each version links to its neighbour.
    notice = _get(client, "/privacy-notice/2/?lang=sv").get_data(as_text=True)
    assert "84 månader (7 år)" in page_text(notice)
    assert 'href="/privacy-notice/1/?lang=sv"' in notice
    assert 'href="/privacy-notice/2/?lang=sv"' in _get(
        client, "/privacy-notice/1/?lang=sv").get_data(as_text=True)
    assert "Detta är en tidigare version" in page_text(
        _get(client, "/privacy-notice/1/?lang=sv").get_data(as_text=True))
    # A publication with nothing new is refused; the pages stay.
    with pytest.raises(RegisterError):
        register_settings.publish(people["controller"])
    assert client.get("/register-description/3/").status_code == 404


def test_a_document_that_did_not_change_says_so(client, app, people):
    register_settings.ensure_published()
    current = register_settings.current()
    flat = flatten(current.data)
    flat["instructions.fi"] = "Ohjeet ovat rekisterin etusivulla, koulutus joka kevät."
    register_settings.save(people["controller"], flat, current.number)
    register_settings.publish(people["controller"])
    # The instructions are in the description (18), not in the privacy notice.
    notice = page_text(_get(client, "/privacy-notice/2/").get_data(as_text=True))
    assert "Ei muutoksia edelliseen versioon 1." in notice
    description = page_text(_get(client, "/register-description/2/").get_data(as_text=True))
    changes = description.split("Muutokset edelliseen versioon 1", 1)[1]
    assert "18 Sisäiset rekisteritoiminnan ohjeet ja koulutus" in changes
    assert "Lisätty: Ohjeet ovat rekisterin etusivulla, koulutus joka kevät." in changes
    assert "Ei muutoksia" not in description


def test_a_period_changed_back_shows_as_a_change(client, app, people):
    register_settings.ensure_published()
    pub = _publish_changes(people["controller"], months=72)
    set_months(Section.get(code="tourism"), 60, people["controller"])
    third = register_settings.publish(people["controller"])
    assert third.number == pub.number + 1
    # Version 3 reads like version 1: nothing changed in the notice between 1 and 3, but
    # 2 → 3 changed the period back.
    page = page_text(_get(client, "/privacy-notice/3/?lang=en").get_data(as_text=True))
    assert "Changes since the previous version 2" in page
    assert "Removed: • Tourism and Convention Bureau: 72 months (6 years)" in page


def test_the_names_of_the_settings_appear(client, app, people):
    register_settings.ensure_published()
    _publish_changes(people["controller"], handler_name="Tiina Uusinimi")
    for lang in LANGUAGES:
        for path in DOCUMENTS:
            markup = _get(client, f"{path}/?lang={lang}").get_data(as_text=True)
            document, changes = markup.split('class="public-changes"')
            assert "Tiina Uusinimi" in document and "Tuulikki Becker" not in document
            assert "Tuulikki Becker" in changes and "Tiina Uusinimi" in changes
    old = page_text(_get(client, "/privacy-notice/1/").get_data(as_text=True))
    assert "Tuulikki Becker" in old and "Tiina Uusinimi" not in old


def test_the_pdf_is_a_pdf_with_the_text(client, app):
    register_settings.ensure_published()
    for path in DOCUMENTS:
        response = _get(client, f"{path}/1.pdf?lang=sv")
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
        text = pdf_text(response.data)
        for section in live_configuration()["sections"]:
            assert section["name"]["sv"] in text
        assert "Nyrki Tuominen" in text and "Version 1, publicerad" in text
    notice = pdf_text(_get(client, "/privacy-notice/1.pdf?lang=sv").data)
    assert "Dataskyddsbeskrivning" in notice and "Dataombudsmannens byrå" in notice
    description = pdf_text(_get(client, "/register-description/1.pdf?lang=en").data)
    assert "18 Internal instructions and training" in description


def test_the_version_list_and_the_printable_page(client, app, people):
    register_settings.ensure_published()
    _publish_changes(people["controller"], months=96)
    markup = _get(client, "/privacy-notice/versions/?lang=en").get_data(as_text=True)
    assert markup.index("Version 2") < markup.index("Version 1")
    assert 'href="/privacy-notice/1.pdf?lang=en"' in markup
    page = _get(client, "/privacy-notice/?lang=en").get_data(as_text=True)
    assert 'data-print' in page and "public.css" in page
    assert 'class="skip-link" href="#content"' in page and '<main id="content"' in page
    assert 'hreflang="sv"' in page and 'aria-current="true">English' in page


@pytest.mark.parametrize("tail", ["0/", "-1/", "99999999999999999999/", "2147483648/", "7/",
                                  "abc/", "%00/", "1%00/", "0.pdf", "99999999999999999999.pdf",
                                  "7.pdf", "1.pdf%00"])
@pytest.mark.parametrize("path", DOCUMENTS)
def test_unknown_and_garbage_numbers_are_not_found(client, app, path, tail):
    register_settings.ensure_published()
    assert client.get(f"{path}/{tail}").status_code == 404


@pytest.mark.parametrize("lang, words", [
    ("sv", ("Versionen finns inte", 'lang="sv"', "Läs den senaste versionen")),
    ("en", ("No such version", 'lang="en"', "Read the newest version")),
    ("", ("Versiota ei ole", 'lang="fi"', "Lue uusin versio")),
])
@pytest.mark.parametrize("tail", ["7/", "7.pdf"])
def test_a_version_never_published_is_said_for_the_public_in_its_language(
        client, app, tail, lang, words):
    register_settings.ensure_published()
    answer = client.get(f"/register-description/{tail}?lang={lang}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404
    for word in words:
        assert word in page
    assert f'href="/register-description/?lang={lang or "fi"}"' in page
    assert "osastoon" not in page and "asiakasluettelo" not in page  # not the staff's words


def test_the_public_endpoints_are_open_and_only_those(client, app):
    assert public.ENDPOINTS <= PUBLIC_ENDPOINTS
    register_settings.ensure_published()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("public.")]
    assert {r.endpoint for r in rules} == public.ENDPOINTS and len(rules) == 8
    for rule in rules:
        url = rule.rule.replace("<int:number>", "1")
        assert client.get(url).status_code == 200, url
    # The rest of the register still wants a login.
    assert client.get("/processing-record/").status_code == 302


def test_an_older_snapshot_without_a_key_reads_without_it(client, app):
    pub = register_settings.ensure_published()
    data = pub.data
    del data["live"]["recipients"]
    del data["live"]["record_retention"]
    del data["settings"]["security"]
    for section in data["live"]["sections"]:
        section.pop("retention_months")
    with db.atomic():
        Publication.create(number=2, settings_number=pub.settings_number,
                           snapshot=json.dumps(data, ensure_ascii=False))
    page = _get(client, "/register-description/2/?lang=en").get_data(as_text=True)
    markup, changes = page.split('class="public-changes"')
    assert "11 Protection of the register" not in markup
    assert "disclosed regularly only to" not in markup
    assert "60 months" not in markup
    assert "12 Keeping" in markup  # the accounting years and the note are still there
    assert "11 Protection of the register" in changes and "60 months" in changes


# --- the record of processing (Art. 30) ------------------------------------------------------


def test_the_record_of_processing_for_the_controller(client, app, auth, people):
    register_settings.ensure_published()
    _publish_changes(people["controller"], months=84)
    auth.login_as("controller")
    front = client.get("/").get_data(as_text=True)
    assert 'href="/processing-record/"' in front and "Asetukset" in front
    page = _get(client, "/processing-record/?lang=fi").get_data(as_text=True)
    assert "Seloste käsittelytoimista" in page and "Versio 2" in page
    pdf = _get(client, "/processing-record/record.pdf?lang=en")
    assert pdf.mimetype == "application/pdf"
    xlsx = _get(client, "/processing-record/record.xlsx?lang=sv")
    assert xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    cells = " ".join(str(c.value) for row in load_workbook(io.BytesIO(xlsx.data)).active
                     .iter_rows() for c in row if c.value)
    live = live_configuration()
    for text, lang in ((pdf_text(pdf.data), "en"), (cells, "sv")):
        for section in live["sections"]:
            assert section["name"][lang] in text
            for code in section["categories"]:
                assert translate(CATEGORY_LABELS[code], lang) in text
        for recipient in live["recipients"]:
            assert recipient["name"][lang] in text
        assert "84" in text
    assert "Tekniska och organisatoriska säkerhetsåtgärder" in cells
    assert "Inga personbeteckningar förs in i registret." in cells
    assert "artikel 6.1 e" in cells
    assert "Privatpersoner" in cells and "Kontaktpersoner för företag" in cells
    assert "Technical and organisational security measures" in pdf_text(pdf.data)


@pytest.mark.parametrize("who", ["responsible", "handler_t", "staff_t", "maint"])
def test_the_record_is_the_controllers_only(client, app, auth, people, who):
    auth.login_as(who)
    for url in ("/processing-record/", "/processing-record/record.pdf",
                "/processing-record/record.xlsx"):
        assert client.get(url).status_code == 403, url
    assert 'href="/processing-record/"' not in client.get("/").get_data(as_text=True)


def test_the_record_wants_a_login(client, app):
    for url in ("/processing-record/", "/processing-record/record.pdf",
                "/processing-record/record.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url


# --- the inspection report names the notice in force -----------------------------------------


def test_the_report_links_to_the_notice_in_force(client, app, auth, people):
    first = register_settings.ensure_published()
    second = _publish_changes(people["controller"], months=84)
    assert notice_in_force(first.published_at, "fi")["number"] == 1
    assert notice_in_force(second.published_at, "fi")["number"] == 2
    before = first.published_at.replace(year=first.published_at.year - 1)
    assert notice_in_force(before, "sv")["number"] == 1  # before the first: the first
    auth.login_as("controller")
    for lang, words in (("fi", "voimassa ollut tietosuojaseloste: versio 2, julkaistu"),
                        ("sv", "Dataskyddsbeskrivningen som gällde när utdraget upprättades: "
                               "version 2, publicerad")):
        req = make_request(language=lang, registered_by=user("handler_t"))
        page = client.get(f"/requests/{req.id}/report.html").get_data(as_text=True)
        assert f'href="http://localhost/privacy-notice/2/?lang={lang}"' in page
        assert words in page_text(page)
        data = client.get(f"/requests/{req.id}/report.json").get_json()
        assert data["privacy_notice"]["number"] == 2
        assert words in pdf_text(client.get(f"/requests/{req.id}/report.pdf").data)
    refused = make_request(decision="refused", language="en", reason="Ei tunnistettu")
    letter = page_text(client.get(f"/requests/{refused.id}/report.html").get_data(as_text=True))
    assert "The privacy notice in force when this extract was made: version 2" in letter


def test_the_login_page_leads_to_the_public_documents(client, app):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/privacy-notice/?lang=fi"' in page
    assert 'href="/register-description/?lang=fi"' in page
    assert _get(client, "/privacy-notice/?lang=fi").status_code == 200

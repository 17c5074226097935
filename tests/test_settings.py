"""The controller's settings (seed §17): versioned, audited, checked field by field, and
read by the inspection report and the publications (seed §13)."""

import json
import re

import pytest

from models import AuditEvent, ControllerSettings, Publication, Section
from services import register_settings as settings
from services.register_settings.seed import SEED_DOCUMENT
from services.retention.settings import set_months
from tests.conftest import csrf_token, user

PEOPLE = ("controller", "responsible", "handler_t", "staff_t", "maint")


def login(auth, username):
    return auth.login_as(username, switch=True, language="en", token_from="/settings/")


def page(client):
    return client.get("/settings/").get_data(as_text=True)


def form_of(html):
    """Return the settings form's fields as the browser would post them."""
    form = html[html.index('name="seen"'):]
    form = form[:form.index("</form>")]
    fields = {"seen": re.search(r'name="seen" value="(\d+)"', html).group(1)}
    for name, value in re.findall(r'<input type="text" id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        fields[name] = value
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    return {key: value.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"')
            for key, value in fields.items()}


def post(client, fields):
    return client.post("/settings/", data={"csrf_token": csrf_token(page(client)), **fields})


def test_the_first_version_is_the_seed_and_the_page_shows_it(client, auth, people):
    assert settings.current().number == 1 and settings.document() == SEED_DOCUMENT
    login(auth, "controller")
    html = page(client)
    for text in ("Eero Holstila", "Nyrki Tuominen", "Tuulikki Becker", "Susanna Sinervuo",
                 "Tietosuojavaltuutetun toimisto", "Dataombudsmannens byrå"):
        assert text in html, text
    # Every field of the seed goes back unchanged: a save without changes saves nothing.
    answer = post(client, form_of(html))
    assert answer.status_code == 302 and ControllerSettings.select().count() == 1
    assert "Nothing changed" in client.get("/settings/").get_data(as_text=True)


def test_a_save_is_a_new_version_with_who_and_when_in_the_audit_log(client, auth, people):
    login(auth, "controller")
    fields = form_of(page(client))
    fields["responsible.name"] = "Maija Meikäläinen"
    fields["handlers.tourism.contact"] = "matkailu@hel.example"
    answer = post(client, fields)
    assert answer.status_code == 302
    saved = settings.current()
    assert saved.number == 2 and saved.saved_by_id == user("controller").id
    assert saved.data["responsible"]["name"] == "Maija Meikäläinen"
    assert ControllerSettings.get(ControllerSettings.number == 1).data == SEED_DOCUMENT
    event = (AuditEvent.select().where(AuditEvent.object_type == "controller_settings").get())
    assert (event.action, event.object_id, event.fields) == ("create", "2", "handlers,responsible")
    assert "Meikäläinen" not in event.fields  # the log names parts, never values
    html = page(client)
    assert "Maija Meikäläinen" in html and ">2</a>" in html
    old = client.get("/settings/version/1").get_data(as_text=True)
    assert "Nyrki Tuominen" in old and "readonly" in old


def test_a_bad_field_is_marked_and_the_input_kept(client, auth, people):
    login(auth, "controller")
    fields = form_of(page(client))
    fields["decision_maker.name"] = ""
    fields["controller.sv"] = "Helsingfors stad 131052-308T"
    fields["sources.sv"] = "bara en rad"  # Finnish has four
    fields["purposes.0.basis"] = "whatever"
    fields["supervisory.web"] = "javascript:alert(1)"
    answer = post(client, fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and ControllerSettings.select().count() == 1
    assert html.count('aria-invalid="true"') == 5
    for text in ("Fill in this field", "henkilötunnus", "same number of lines",
                 "Choose the lawful basis", "https://"):
        assert text in html, text
    assert "bara en rad" in html and "javascript:alert(1)" in html  # kept for correcting


def test_control_characters_are_refused_by_the_page_and_by_the_service(client, auth, people):
    login(auth, "controller")
    fields = form_of(page(client))
    assert post(client, dict(fields, **{"internal_use.en": "bell\x07here"})).status_code == 400
    document = json.loads(json.dumps(SEED_DOCUMENT))
    document["internal_use"]["en"] = "nul\x00here"
    problems = settings.schema.check(document, ["tourism", "business"], 5)
    assert problems == {"internal_use.en": (settings.schema.UNSTORABLE, {})}
    assert ControllerSettings.select().count() == 1


def test_a_save_on_top_of_a_newer_version_is_refused(client, auth, people):
    login(auth, "controller")
    fields = form_of(page(client))
    other = dict(fields, **{"responsible.name": "Toinen Tallentaja"})
    assert post(client, other).status_code == 302
    fields["responsible.name"] = "Myöhäinen Tallentaja"
    answer = post(client, fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "saved meanwhile by someone else" in html
    assert "Myöhäinen Tallentaja" in html and 'name="seen" value="1"' in html  # kept, still old
    assert settings.document()["responsible"]["name"] == "Toinen Tallentaja"
    for seen in ("99999999999999999999", "", "-1"):
        assert post(client, dict(fields, seen=seen)).status_code == 200
    assert settings.current().number == 2


def test_a_purpose_is_added_in_the_spare_row_and_removed_by_emptying_it(client, auth, people):
    login(auth, "controller")
    fields = form_of(page(client))
    count = len(SEED_DOCUMENT["purposes"])
    fields[f"purposes.{count}.text.fi"] = "Tapahtumien järjestäminen."
    fields[f"purposes.{count}.basis"] = "consent"
    assert post(client, fields).status_code == 302
    assert settings.document()["purposes"][-1] == {
        "text": {"fi": "Tapahtumien järjestäminen.", "sv": "", "en": ""}, "basis": "consent"}
    fields = form_of(page(client))
    for lang in ("fi", "sv", "en"):
        fields[f"purposes.0.text.{lang}"] = ""
    fields["purposes.0.basis"] = ""
    assert post(client, fields).status_code == 302
    assert len(settings.document()["purposes"]) == count


@pytest.mark.parametrize("username", ["responsible", "handler_t", "staff_t", "maint"])
def test_only_the_controller_changes_the_settings(client, auth, people, username):
    auth.login_as(username)
    assert client.get("/settings/").status_code == 403
    token = auth.token("/")
    assert client.post("/settings/", data={"csrf_token": token, "seen": "1"}).status_code == 403
    assert client.post("/settings/publish", data={"csrf_token": token}).status_code == 403
    assert ControllerSettings.select().count() == 1 and Publication.select().count() == 0


def test_bad_version_numbers_are_not_found(client, auth, people):
    login(auth, "controller")
    for number in ("0", "-1", "99999999999999999999", "x%00", "5"):
        assert client.get(f"/settings/version/{number}").status_code == 404


def test_publishing_freezes_the_settings_with_the_live_configuration(client, auth, people):
    token = login(auth, "controller")
    assert client.post("/settings/publish", data={"csrf_token": token}).status_code == 302
    first = settings.latest()
    assert first.number == 1 and first.published_by_id == user("controller").id
    live = first.data["live"]
    assert [s["code"] for s in live["sections"]] == ["tourism", "business"]
    assert "billing" in live["sections"][0]["categories"]
    assert "demographics" in live["sections"][1]["categories"]
    assert live["sections"][0]["retention_months"] == 60 and len(live["recipients"]) == 2
    # Nothing new: refused. A changed retention period is new.
    client.post("/settings/publish", data={"csrf_token": token})
    assert Publication.select().count() == 1
    assert "nothing new to publish" in page(client)
    set_months(Section.get(code="tourism"), 36, user("controller"))
    assert "have changed since the last publication" in page(client)
    client.post("/settings/publish", data={"csrf_token": token})
    second = settings.latest()
    assert second.number == 2 and second.data["live"]["sections"][0]["retention_months"] == 36
    assert settings.publication(1).data["live"]["sections"][0]["retention_months"] == 60
    events = AuditEvent.select().where(AuditEvent.object_type == "register_publication")
    assert [e.object_id for e in events.order_by(AuditEvent.id)] == ["1", "2"]


def test_a_fresh_register_publishes_its_first_settings_once(app, people):
    first = settings.ensure_published()
    assert (first.number, first.settings_number, first.published_by_id) == (1, 1, None)
    assert settings.ensure_published().id == first.id
    assert json.loads(first.snapshot)["settings"] == SEED_DOCUMENT


@pytest.mark.parametrize("language, responsible, basis", [
    ("fi", "elinkeinopäällikkö Maija Meikäläinen", "käsittelyperuste: yleisen edun mukainen"),
    ("sv", "näringslivschef Maija Meikäläinen", "rättslig grund: uppgift av allmänt intresse"),
    ("en", "Maija Meikäläinen (Head of Economic Development)",
     "lawful basis: task carried out in the public interest"),
])
def test_the_inspection_report_names_the_people_of_the_current_settings(
        client, auth, people, language, responsible, basis):
    from services.report import build_report_for

    login(auth, "controller")
    fields = form_of(page(client))
    fields["responsible.name"] = "Maija Meikäläinen"
    fields["sources.fi"] += "\nYritys- ja yhteisötietojärjestelmä"
    for lang in ("sv", "en"):
        fields[f"sources.{lang}"] = ""
    assert post(client, fields).status_code == 302
    report = build_report_for(language=language)
    text = " ".join(p for part in report["information"] for p in part["paragraphs"])
    assert responsible in text and "Nyrki Tuominen" not in text
    assert basis in text and "6" in text
    assert "Yritys- ja yhteisötietojärjestelmä" in text  # a language left empty: Finnish
    assert "{" not in text and "}" not in text


def test_the_settings_menu_gathers_the_controllers_settings(client, auth, people):
    login(auth, "controller")
    menu = client.get("/").get_data(as_text=True)
    for path in ('href="/settings/"', 'href="/retention/policy/"', 'href="/retention/records/"',
                 'href="/disclosures/recipients/"'):
        assert path in menu, path
    login(auth, "handler_t")
    menu = client.get("/").get_data(as_text=True)
    assert 'href="/settings/"' not in menu and 'href="/disclosures/recipients/"' not in menu

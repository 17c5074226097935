"""The short informing notice (seed §13; GDPR Art. 13 and 14): what a person is told when
their data is recorded — which register, who keeps it, what for, how to use their rights,
whom to ask and where to read the whole privacy notice — in Finnish, Swedish or English,
to print or to paste into an email. No Flask here.

The notice's fixed sentences are ``NOTICE_TEXTS`` below, one table per language. What it
names — the controller, the register, the purposes and whom to contact — are arguments of
``notice``; by default ``default_values`` reads them from the controller's settings (seed
§17; ``services.register_settings``, the newest version, as the inspection report does),
so a change there shows in the next notice with no change in the code.
"""

from urllib.parse import urlencode

from services.register_settings import document, in_language
from services.report.facts import handlers

NOTICE_LANGUAGES = ("fi", "sv", "en")
# The public privacy notice's address: Finnish without a parameter, ?lang=sv / ?lang=en.
PRIVACY_NOTICE_PATH = "/privacy-notice/"

NOTICE_TEXTS = {
    "fi": {
        "title": "Ilmoitus henkilötietojen tallentamisesta",
        "intro": "Tietojasi on tallennettu alla mainittuun rekisteriin. Kerromme tässä "
                 "lyhyesti, miten tietojasi käsitellään (EU:n yleinen tietosuoja-asetus, 13 ja "
                 "14 artikla).",
        "register": "Rekisteri",
        "controller": "Rekisterinpitäjä",
        "purposes": "Mihin tietoja käytetään",
        "rights": "Sinulla on oikeus tarkastaa tietosi, vaatia virheellisen tiedon "
                  "korjaamista ja kieltää tietojesi käyttö suoramarkkinointiin sekä markkina- "
                  "ja mielipidetutkimukseen. Voit tehdä valituksen tietosuojavaltuutetulle.",
        "contact": "Lisätietoja",
        "more": "Koko tietosuojaseloste",
        "contact_text": "Rekisteriasioita hoitavat {handlers}. Kirjalliset pyynnöt: "
                        "{postal_address}.",
    },
    "sv": {
        "title": "Meddelande om registrering av personuppgifter",
        "intro": "Dina uppgifter har registrerats i registret som nämns nedan. Här berättar "
                 "vi kort hur dina uppgifter behandlas (EU:s allmänna dataskyddsförordning, "
                 "artiklarna 13 och 14).",
        "register": "Register",
        "controller": "Personuppgiftsansvarig",
        "purposes": "Vad uppgifterna används till",
        "rights": "Du har rätt att kontrollera dina uppgifter, kräva att felaktiga uppgifter "
                  "rättas och förbjuda att dina uppgifter används för direktmarknadsföring "
                  "och för marknads- och opinionsundersökningar. Du kan lämna klagomål till "
                  "dataombudsmannen.",
        "contact": "Mer information",
        "more": "Hela dataskyddsbeskrivningen",
        "contact_text": "Registerärendena sköts av {handlers}. Skriftliga begäranden: "
                        "{postal_address}.",
    },
    "en": {
        "title": "Notice of the recording of personal data",
        "intro": "Your data has been recorded in the register named below. This is a short "
                 "account of how your data is processed (EU General Data Protection "
                 "Regulation, Articles 13 and 14).",
        "register": "Register",
        "controller": "Controller",
        "purposes": "What the data is used for",
        "rights": "You have the right to see your data, to have incorrect data corrected and "
                  "to prohibit the use of your data for direct marketing and for market and "
                  "opinion research. You may lodge a complaint with the Data Protection "
                  "Ombudsman.",
        "contact": "More information",
        "more": "The whole privacy notice",
        "contact_text": "Register matters are handled by {handlers}. Written requests: "
                        "{postal_address}.",
    },
}


def notice_language(language):
    """Return the notice's language for a customer's language: fi, sv, else English."""
    return language if language in NOTICE_LANGUAGES else "en"


def default_values(language):
    """Return ``{controller, register, purposes, contact}`` in ``language`` from the
    controller's settings."""
    settings = document()
    purposes = " ".join(in_language(p.get("text"), language).rstrip(".") + "."
                        for p in settings.get("purposes") or [])
    contact = NOTICE_TEXTS[language]["contact_text"].format(
        handlers=handlers(settings, language),
        postal_address=in_language(settings.get("postal_address"), language))
    return {
        "controller": in_language(settings.get("controller"), language),
        "register": in_language(settings.get("register_name"), language),
        "purposes": purposes,
        "contact": contact,
    }


def notice_url(base, language):
    """Return the public privacy notice's address in ``language`` under ``base`` (the
    site's address, or "" for a path)."""
    query = "" if language == "fi" else "?" + urlencode({"lang": language})
    return base.rstrip("/") + PRIVACY_NOTICE_PATH + query


def notice(language, controller=None, register=None, purposes=None, contact=None,
           site=""):
    """Return the informing notice in ``language`` (fi, sv, en; another is English).

    The values it names default to the controller's settings (``default_values``);
    ``site`` is the register's public address ("https://…"), to which the privacy notice's
    path is added. Returns
    ``{"language", "title", "intro", "parts": [(heading, text)], "rights", "url",
    "text"}``: ``text`` is the whole notice as plain text, to paste into an email.
    """
    language = notice_language(language)
    words = NOTICE_TEXTS[language]
    values = {"controller": controller, "register": register, "purposes": purposes,
              "contact": contact}
    if not all(values.values()):
        values = {**default_values(language),
                  **{name: value for name, value in values.items() if value}}
    url = notice_url(site, language)
    parts = [(words["register"], values["register"]),
             (words["controller"], values["controller"]),
             (words["purposes"], values["purposes"])]
    closing = [(words["contact"], values["contact"]), (words["more"], url)]
    lines = [words["title"], "", words["intro"], ""]
    lines += [f"{heading}: {text}" for heading, text in parts]
    lines += ["", words["rights"], ""]
    lines += [f"{heading}: {text}" for heading, text in closing]
    return {"language": language, "title": words["title"], "intro": words["intro"],
            "parts": parts, "rights": words["rights"], "closing": closing, "url": url,
            "text": "\n".join(lines) + "\n"}

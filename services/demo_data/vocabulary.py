"""What the made-up rows are made of: weights, words, mail domains, phone and postal codes.

Weights follow the order of the models' choices. Everything here is Finnish as a Helsinki
customer register would hold it; no value is a henkilötunnus.
"""

import functools

from models import CHANNELS, CUSTOMER_KINDS, INFORMED_HOW, LANGUAGES
from services.postal_codes.table import SHIPPED_FILE, read_file

KIND_WEIGHTS = dict(zip(CUSTOMER_KINDS, (60, 30, 10)))
LANGUAGE_WEIGHTS = dict(zip(LANGUAGES, (80, 10, 6, 4)))
INFORMED_WEIGHTS = dict(zip(INFORMED_HOW, (30, 35, 15, 15, 5)))
# How many customers and contact persons have an informing record (seed §13): most; the
# rest are "not yet informed", recorded before informing was required.
INFORMED_SHARE = 0.85
# Why a person could not be reached (informed_how "not_reachable").
NOT_REACHABLE_REASONS = (
    "Ei tiedossa olevaa osoitetta.",
    "Kirje palautui: vastaanottaja tuntematon.",
    "Sähköposti palautui, eikä muuta yhteystietoa ole.",
)
CHANNEL_WEIGHTS = dict(zip(CHANNELS, (30, 35, 15, 4, 8, 6, 2)))

# Faker locales for the names of each language's customers.
NAME_LOCALES = {"fi": ("fi_FI",), "sv": ("sv_SE",), "en": ("en_GB",), "other": ("et_EE", "de_DE", "pl_PL")}

EDUCATION = (
    "peruskoulu",
    "ylioppilastutkinto",
    "ammatillinen perustutkinto",
    "ammattitutkinto",
    "erikoisammattitutkinto",
    "ammattikorkeakoulututkinto",
    "ylempi ammattikorkeakoulututkinto",
    "alempi korkeakoulututkinto",
    "ylempi korkeakoulututkinto",
    "tohtorin tutkinto",
)

CONTACT_ROLES = (
    "toimitusjohtaja",
    "myyntipäällikkö",
    "markkinointipäällikkö",
    "markkinointijohtaja",
    "talouspäällikkö",
    "projektipäällikkö",
    "tapahtumakoordinaattori",
    "hallituksen puheenjohtaja",
    "hallituksen jäsen",
    "sihteeri",
    "toiminnanjohtaja",
    "asiamies",
    "kehitysjohtaja",
    "viestintäpäällikkö",
    "ostopäällikkö",
)

USER_DETAILS = (
    "Tapahtumakalenterin käyttäjätunnus: {login}",
    "Messujärjestelmän käyttäjä: {login}",
    "Extranet-tunnus {login}",
    "Kuvapankin käyttäjätunnus: {login}",
    "Kongressikalenterin ylläpitäjä, tunnus {login}",
)

SERVICES = {
    "tourism": (
        "Kongressipalvelu",
        "Kongressin tarjouspyyntöpalvelu",
        "Messuosasto",
        "Kokoustilavaraus",
        "Opastettu kaupunkikierros",
        "Ryhmän vierailuohjelma",
        "Tapahtumamarkkinointi",
        "Markkinointiyhteistyö",
        "Esitemateriaali",
        "Matkailumessujen yhteisosasto",
        "Kuvapankin käyttöoikeus",
    ),
    "business": (
        "Yritysneuvonta",
        "Kasvuvalmennus",
        "Rahoitusneuvonta",
        "Sijoittumisneuvonta",
        "Toimitilahaku",
        "Messuosasto",
        "Koulutustilaisuus",
        "Verkostoitumistilaisuus",
        "Kansainvälistymisneuvonta",
        "Starttirahaneuvonta",
    ),
}

# Sections are data: a section this module does not know gets every service.
ALL_SERVICES = tuple(dict.fromkeys(s for names in SERVICES.values() for s in names))

# Summaries of contacts; {service} is one of the section's services, in lower case.
SUMMARIES = {
    "in": (
        "Kysyi hintatietoja: {service}.",
        "Pyysi tarjousta, aiheena {service}.",
        "Kiitos viime tapahtumasta, toivoo jatkoa.",
        "Ilmoitti uuden yhteyshenkilön.",
        "Kysyi laskun eräpäivän siirtoa.",
        "Pyysi lisätietoja tulevista messuista.",
        "Tilasi uutiskirjeen.",
        "Palaute: {service} onnistui hyvin.",
        "Kysyi kokoustiloista syksyksi.",
        "Ilmoitti osoitteenmuutoksesta.",
        "Peruutti sovitun tapaamisen.",
        "Kysyi mahdollisuutta yhteismarkkinointiin.",
    ),
    "out": (
        "Lähetetty tarjous: {service}.",
        "Soitettu ja sovittu tapaaminen.",
        "Kutsu verkostoitumistilaisuuteen.",
        "Muistutettu avoimesta laskusta.",
        "Lähetetty esite ja hinnasto.",
        "Tapaaminen: yrityksen kasvusuunnitelma.",
        "Vahvistettu varaus: {service}.",
        "Kysytty palautetta palvelusta.",
        "Kutsu matkailumessuille.",
        "Lähetetty uutiskirje.",
        "Seurantasoitto edellisen tapaamisen jälkeen.",
    ),
}

OWN_INFO = (
    "Toivoo yhteydenotot sähköpostitse.",
    "Ei suoramarkkinointia.",
    "Ei puhelinmarkkinointia.",
    "Toivoo palvelua ruotsiksi.",
    "Toivoo palvelua englanniksi.",
    "Kiinnostunut kansainvälisistä messuista.",
    "Tavoitettavissa parhaiten aamupäivisin.",
    "Kutsut tapahtumiin postitse.",
    "Kiinnostunut kongressien järjestämisestä Helsingissä.",
    "Toivoo, ettei tietoja käytetä tutkimuksiin.",
    "Uutiskirje tilattu.",
    "Laskut verkkolaskuna.",
)

# Business lines for made-up company and association names.
BUSINESS_LINES = (
    "Tapahtumapalvelu",
    "Kongressipalvelut",
    "Matkat",
    "Majoitus",
    "Ravintolat",
    "Kahvila",
    "Catering",
    "Design",
    "Media",
    "Viestintä",
    "Konsultointi",
    "Rakennus",
    "Kiinteistöpalvelu",
    "Logistiikka",
    "Ohjelmistot",
    "Teknologia",
    "Kuljetus",
    "Sisustus",
    "Tilitoimisto",
    "Kiinteistöt",
    "Elokuva",
    "Äänitekniikka",
    "Valokuvaus",
    "Opastus",
)
COMPANY_FORMS = ("Oy", "Oy", "Oy", "Oy", "Oyj", "Ky", "Ay", "Tmi")
PLACES_GENITIVE = (
    "Helsingin",
    "Espoon",
    "Vantaan",
    "Kallion",
    "Töölön",
    "Kruununhaan",
    "Pasilan",
    "Lauttasaaren",
    "Munkkiniemen",
    "Itä-Helsingin",
    "Pohjois-Helsingin",
    "Uudenmaan",
    "Suomen",
    "Pääkaupunkiseudun",
    "Etelä-Suomen",
    "Kampin",
    "Punavuoren",
    "Vallilan",
)
ASSOCIATIONS = (
    "Yrittäjät ry",
    "Matkailuyhdistys ry",
    "Kauppayhdistys ry",
    "Kulttuuriseura ry",
    "Kongressiyhdistys ry",
    "Ravintolayhdistys ry",
    "Kotiseutuyhdistys ry",
    "Design-seura ry",
    "Kauppakamari ry",
    "Taiteilijaseura ry",
    "Oppaat ry",
    "Tapahtumajärjestäjät ry",
)
FOUNDATIONS = ("säätiö sr", "säätiö", "kulttuurisäätiö sr", "tiedesäätiö sr")

BUSINESS_MAIL_LOCALS = ("info", "myynti", "asiakaspalvelu", "toimisto", "tilaukset")
# Reserved for examples (RFC 2606): a demonstration never mails a real person.
PERSON_MAIL_DOMAINS = ("example.com", "example.net", "example.org")
BUSINESS_MAIL_TLD = "example"

MOBILE_PREFIXES = ("40", "41", "44", "45", "46", "50")
LANDLINE_AREAS = ("9", "9", "9", "9", "9", "2", "3", "5", "13", "14", "17")

# Postal areas: mostly the capital region, some from all over Finland; real codes with their
# post offices, from the postal code file the register ships (services.postal_codes), so
# that every made-up address passes the address check.
CAPITAL_REGION = ("HELSINKI", "ESPOO", "VANTAA")


@functools.lru_cache(maxsize=1)
def postal_areas():
    """Return {post office: codes} of the capital region's cities, and (code, post office)
    of every code, in code order."""
    rows = read_file(SHIPPED_FILE).rows
    every = tuple((code, names[0]) for code, names in sorted(rows.items()))
    capital = {city: tuple(code for code, name in every if name == city)
               for city in CAPITAL_REGION}
    return capital, every

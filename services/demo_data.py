"""Realistic, made-up Finnish customers for demonstrations and load tests.

Everything follows from the seed: the same seed gives the same rows, timestamps
included, because every date is counted back from ``REFERENCE`` (never the wall clock)
with one ``random.Random(seed)``. Faker (``fi_FI`` and a few other locales) fills pools of
names, streets, cities and professions once; the rows then pick from the pools, which is
what makes 100 000 customers a matter of seconds. Ids are assigned here, after the largest
id already in each table, so a second run appends and the child rows need no read-back.

No henkilötunnus is ever generated (Faker's ``ssn()`` is not called); every pooled value
and text template is checked with :func:`services.hetu.contains_hetu` all the same.
"""

import datetime
import decimal
import random
import re
import unicodedata

import peewee as pw
from faker import Faker

from models import (
    ADDRESS_KINDS,
    CHANNELS,
    COLLECTION_STATES,
    CUSTOMER_KINDS,
    DIRECTIONS,
    INFORMED_HOW,
    LANGUAGES,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Purchase,
    db,
)
from services.customers import refresh_city
from services.hetu import contains_hetu

# Every generated date is counted back from here.
REFERENCE = datetime.datetime(2026, 11, 1, 12, 0, 0)
REFERENCE_DAY = REFERENCE.date()

# Customers per transaction (and per progress step).
CHUNK = 1000
# SQLite binds at most 32 766 parameters per statement.
MAX_PARAMETERS = 32766

DAY = 86400
YEAR = 365 * DAY

# --- What each table gets, in insert order ------------------------------------------

FIELDS = {
    Customer: (
        Customer.id, Customer.section, Customer.kind, Customer.first_name,
        Customer.last_name, Customer.name, Customer.sort_name, Customer.birth_date,
        Customer.business_id, Customer.phone, Customer.mobile, Customer.fax,
        Customer.email, Customer.language, Customer.own_info, Customer.informed_at,
        Customer.informed_how, Customer.created_at, Customer.updated_at,
        Customer.last_activity_at, Customer.version,
    ),
    Address: (
        Address.id, Address.customer, Address.kind, Address.street, Address.postal_code,
        Address.city, Address.country,
    ),
    Demographics: (
        Demographics.id, Demographics.customer, Demographics.profession,
        Demographics.education,
    ),
    ContactPerson: (
        ContactPerson.id, ContactPerson.customer, ContactPerson.first_name,
        ContactPerson.last_name, ContactPerson.role, ContactPerson.phone,
        ContactPerson.email, ContactPerson.user_details,
    ),
    ContactEvent: (
        ContactEvent.id, ContactEvent.customer, ContactEvent.occurred_at,
        ContactEvent.direction, ContactEvent.channel, ContactEvent.summary,
        ContactEvent.staff,
    ),
    Purchase: (
        Purchase.id, Purchase.customer, Purchase.service, Purchase.purchased_on,
        Purchase.amount,
    ),
    Invoice: (
        Invoice.id, Invoice.customer, Invoice.number, Invoice.invoice_date,
        Invoice.due_date, Invoice.amount, Invoice.paid_on, Invoice.collection_state,
    ),
}

# The keys of the returned counts.
COUNT_NAMES = {
    Customer: "customers",
    Address: "addresses",
    Demographics: "demographics",
    ContactPerson: "contact_persons",
    ContactEvent: "contact_events",
    Purchase: "purchases",
    Invoice: "invoices",
}

# --- Vocabularies (weights follow the order of the models' choices) -----------------

PERSON, COMPANY, ORGANISATION = CUSTOMER_KINDS
POSTAL, VISITING, BILLING = ADDRESS_KINDS
OPEN, PAID, REMINDED, IN_COLLECTION, WRITTEN_OFF = COLLECTION_STATES

KIND_WEIGHTS = dict(zip(CUSTOMER_KINDS, (60, 30, 10)))
LANGUAGE_WEIGHTS = dict(zip(LANGUAGES, (80, 10, 6, 4)))
INFORMED_WEIGHTS = dict(zip(INFORMED_HOW, (25, 10, 30, 10, 15, 10)))
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

# Postal areas: mostly the capital region, some from all over Finland (Faker).
HELSINKI_CODES = tuple(f"00{n:02d}0" for n in range(10, 99))
ESPOO_CODES = tuple(f"02{n:02d}0" for n in range(10, 98))
VANTAA_CODES = tuple(f"01{n:02d}0" for n in range(20, 77))


# --- Building blocks ------------------------------------------------------------------


def ascii_slug(text, separator=""):
    """Return ``text`` as lower-case ASCII letters and digits ("Äijälä Oy" → "aijalaoy")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", plain)
    return separator.join(words)


def business_id(rng):
    """Return a random Y-tunnus with a correct check digit ("1234567-1")."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    while True:
        digits = f"{rng.randrange(100000, 3400000):07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
        if remainder == 1:  # never issued: no check digit exists
            continue
        check = 0 if remainder == 0 else 11 - remainder
        return f"{digits}-{check}"


def genitive(surname):
    """Return a rough Finnish genitive of a surname ("Virtanen" → "Virtasen")."""
    if surname.endswith("nen"):
        return surname[:-3] + "sen"
    if surname[-1] in "aeiouyäö":
        return surname + "n"
    return surname + "in"


def _weighted(rng, weights):
    """Return a callable that picks a key of ``weights`` with ``rng``."""
    keys = list(weights)
    cumulative = []
    total = 0
    for key in keys:
        total += weights[key]
        cumulative.append(total)

    def pick():
        r = rng.random() * total
        for key, bound in zip(keys, cumulative):
            if r < bound:
                return key
        return keys[-1]

    return pick


def _clean(values):
    """Return ``values`` without duplicates, blanks or anything that looks like a henkilötunnus."""
    return [v for v in dict.fromkeys(values) if v and not contains_hetu(v)]


class _Pools:
    """Names, streets, cities and professions made once from Faker with the seed."""

    def __init__(self, seed):
        fi = Faker("fi_FI")
        fi.seed_instance(seed)
        self.first_names = {}
        self.last_names = {}
        for language, locales in NAME_LOCALES.items():
            firsts, lasts = [], []
            for i, locale in enumerate(locales):
                fake = fi if locale == "fi_FI" else Faker(locale)
                fake.seed_instance(f"{seed}-{locale}")
                size = 3000 if locale == "fi_FI" else 600
                firsts += [fake.first_name() for _ in range(size)]
                lasts += [fake.last_name() for _ in range(size)]
            self.first_names[language] = _clean(firsts)
            self.last_names[language] = _clean(lasts)
        self.streets = _clean(fi.street_name() for _ in range(4000))
        self.cities = _clean(fi.city() for _ in range(1000))
        self.postcodes = _clean(fi.postcode() for _ in range(1000))
        self.professions = _clean(fi.job() for _ in range(2000))
        fi_lasts = self.last_names["fi"]
        companies = []
        for name in (fi.company() for _ in range(2000)):
            # Faker's fi_FI names include housing companies and bare surnames: keep
            # only business forms that buy services.
            if name.endswith((" Oy", " Oyj", " Osk", " Ky")) and " As Oy" not in name:
                companies.append(name)
        companies += [
            f"{fi.random_element(fi_lasts)} {fi.random_element(BUSINESS_LINES)}"
            f" {fi.random_element(COMPANY_FORMS)}"
            for _ in range(1500)
        ]
        companies += [
            f"{fi.random_element(PLACES_GENITIVE)} {fi.random_element(BUSINESS_LINES)}"
            f" {fi.random_element(COMPANY_FORMS)}"
            for _ in range(1000)
        ]
        companies += [
            f"Tmi {fi.first_name()} {fi.random_element(fi_lasts)}" for _ in range(300)
        ]
        self.companies = _clean(companies)
        organisations = [
            f"{fi.random_element(PLACES_GENITIVE)} {fi.random_element(ASSOCIATIONS)}"
            for _ in range(600)
        ]
        organisations += [
            f"{genitive(fi.random_element(fi_lasts))} {fi.random_element(FOUNDATIONS)}"
            for _ in range(300)
        ]
        self.organisations = _clean(organisations)


class _Generator:
    """Makes the rows of one run; ``next_id`` continues each table's ids."""

    def __init__(self, seed, sections, next_id):
        self.rng = rng = random.Random(seed)
        self.pools = _Pools(seed)
        self.sections = sections
        self.next_id = next_id
        self.emails_seen = {}
        self.pick_kind = _weighted(rng, KIND_WEIGHTS)
        self.pick_language = _weighted(rng, LANGUAGE_WEIGHTS)
        self.pick_informed = _weighted(rng, INFORMED_WEIGHTS)
        self.pick_channel = _weighted(rng, CHANNEL_WEIGHTS)
        self.section_info = [
            (s, s.category_set, SERVICES.get(s.code, ALL_SERVICES)) for s in sections
        ]

    def _id(self, model):
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    # Small pieces.

    def moment(self, start, end):
        """Return a second-precision moment in [start, end]."""
        span = int((end - start).total_seconds())
        return start + datetime.timedelta(seconds=self.rng.randint(0, max(span, 0)))

    def mobile(self):
        rng = self.rng
        return f"+358{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**6, 10**7)}"

    def landline(self):
        rng = self.rng
        area = rng.choice(LANDLINE_AREAS)
        digits = 7 if area == "9" else 6 + rng.randrange(2)
        return f"+358{area}{rng.randrange(10 ** (digits - 1), 10**digits)}"

    def unique_email(self, local, domain, number_in_domain=False):
        """Return local@domain, numbered when that address was handed out already."""
        key = (local, domain)
        n = self.emails_seen.get(key, 0) + 1
        self.emails_seen[key] = n
        if n > 1:
            if number_in_domain:
                label, _, rest = domain.partition(".")
                domain = f"{label}{n}.{rest}"
            else:
                local = f"{local}{n}"
        return f"{local}@{domain}"

    def person_email(self, first, last):
        local = ".".join(p for p in (ascii_slug(first, "-"), ascii_slug(last, "-")) if p)
        return self.unique_email(local or "asiakas", self.rng.choice(PERSON_MAIL_DOMAINS))

    def address(self, customer_id, kind, business):
        rng = self.rng
        pools = self.pools
        street = f"{rng.choice(pools.streets)} {rng.randint(1, 120)}"
        if not business and rng.random() < 0.55:
            street += f" {rng.choice('ABCDEF')} {rng.randint(1, 60)}"
        elif business and rng.random() < 0.2:
            street += f", {rng.randint(2, 8)}. krs"
        r = rng.random()
        if r < 0.70:
            postal_code, city = rng.choice(HELSINKI_CODES), "Helsinki"
        elif r < 0.80:
            postal_code, city = rng.choice(ESPOO_CODES), "Espoo"
        elif r < 0.87:
            postal_code, city = rng.choice(VANTAA_CODES), "Vantaa"
        else:
            postal_code, city = rng.choice(pools.postcodes), rng.choice(pools.cities)
        return (self._id(Address), customer_id, kind, street, postal_code, city, "FI")

    # One customer and everything it owns.

    def customer(self, rows):
        rng = self.rng
        pools = self.pools
        section, categories, services = rng.choice(self.section_info)
        cid = self._id(Customer)
        kind = self.pick_kind()
        language = self.pick_language()
        if kind != PERSON and language == "other":
            language = "en"
        business = kind != PERSON

        first_name = last_name = name = birth_date = y_tunnus = None
        phone = mobile = fax = email = None
        domain = None
        if kind == PERSON:
            first_name = rng.choice(pools.first_names[language])
            last_name = rng.choice(pools.last_names[language])
            display = f"{last_name}, {first_name}"
            age_days = rng.randint(18 * 365 + 5, 90 * 365 - 5)
            birth_date = REFERENCE_DAY - datetime.timedelta(days=age_days)
            if rng.random() < 0.85:
                mobile = self.mobile()
            if rng.random() < 0.2:
                phone = self.landline()
            if rng.random() < 0.75:
                email = self.person_email(first_name, last_name)
        else:
            if kind == COMPANY:
                name = rng.choice(pools.companies)
                y_tunnus = business_id(rng)
            else:
                name = rng.choice(pools.organisations)
                if rng.random() < 0.7:
                    y_tunnus = business_id(rng)
            display = name
            domain = f"{ascii_slug(name, '-')}.{BUSINESS_MAIL_TLD}"
            if rng.random() < 0.8:
                phone = self.landline()
            if rng.random() < 0.3:
                mobile = self.mobile()
            if rng.random() < 0.08:
                fax = self.landline()
            if rng.random() < 0.85:
                email = self.unique_email(
                    rng.choice(BUSINESS_MAIL_LOCALS), domain, number_in_domain=True
                )
        # Only the data categories the section keeps (seed §6).
        if "phone" not in categories:
            phone = mobile = None
        if "fax" not in categories:
            fax = None
        if "email" not in categories:
            email = None
        own_info = rng.choice(OWN_INFO) if rng.random() < 0.12 else None

        # When the customer was active: a sixth have been quiet for 5–10 years.
        if rng.random() < 0.16:
            active_until = REFERENCE - datetime.timedelta(seconds=rng.randint(5 * YEAR, 10 * YEAR))
            created_at = active_until - datetime.timedelta(seconds=rng.randint(0, 3 * YEAR))
        else:
            created_at = REFERENCE - datetime.timedelta(seconds=rng.randint(3 * DAY, 12 * YEAR))
            active_until = REFERENCE - datetime.timedelta(seconds=rng.randint(0, 2 * YEAR))
            if active_until < created_at:
                active_until = created_at + datetime.timedelta(seconds=rng.randint(0, 30 * DAY))

        informed_at = informed_how = None
        if rng.random() < (0.9 if kind == PERSON else 0.5):
            informed_at = min(
                created_at + datetime.timedelta(seconds=rng.randint(0, 3 * DAY)), REFERENCE
            )
            informed_how = self.pick_informed()

        activity = []  # every moment of contact, purchase or invoice
        if "history" in categories:
            for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4))):
                occurred_at = self.moment(created_at, active_until)
                direction = rng.choice(DIRECTIONS)
                summary = rng.choice(SUMMARIES[direction]).format(
                    service=rng.choice(services).lower()
                )
                rows[ContactEvent].append(
                    (self._id(ContactEvent), cid, occurred_at, direction,
                     self.pick_channel(), summary, None)
                )
                activity.append(occurred_at)
            bills = "billing" in categories
            purchases = rng.choice((0, 0, 0, 1, 1, 2, 3) if bills else (0, 0, 0, 0, 1, 1, 2))
            for _ in range(purchases):
                purchased_on = self.moment(created_at, active_until).date()
                if bills or rng.random() < 0.5:
                    scale = 400 if kind == PERSON else 4000
                    amount = decimal.Decimal(rng.randint(20 * 100, scale * 100)) / 100
                else:
                    amount = None  # free advice
                rows[Purchase].append(
                    (self._id(Purchase), cid, rng.choice(services), purchased_on, amount)
                )
                activity.append(datetime.datetime.combine(purchased_on, datetime.time()))
                if bills and amount is not None and rng.random() < 0.9:
                    invoice_date = min(
                        purchased_on + datetime.timedelta(days=rng.randint(0, 7)), REFERENCE_DAY
                    )
                    rows[Invoice].append(self.invoice(cid, invoice_date, amount))
                    activity.append(datetime.datetime.combine(invoice_date, datetime.time()))
        last_activity_at = max(activity) if activity else None
        newest = max(last_activity_at or created_at, created_at)
        updated_at = self.moment(created_at, newest)

        rows[Customer].append(
            (cid, section.id, kind, first_name, last_name, name, display.casefold(),
             birth_date, y_tunnus, phone, mobile, fax, email, language, own_info,
             informed_at, informed_how, created_at, updated_at, last_activity_at, 1)
        )

        if "address" in categories:
            rows[Address].append(self.address(cid, POSTAL, business))
            if rng.random() < (0.5 if business else 0.12):
                second = rng.choice((VISITING, BILLING) if business else (BILLING,))
                rows[Address].append(self.address(cid, second, business))

        if kind == PERSON and "demographics" in categories:
            profession = rng.choice(pools.professions) if rng.random() < 0.85 else None
            education = rng.choice(EDUCATION) if rng.random() < 0.8 else None
            rows[Demographics].append((self._id(Demographics), cid, profession, education))

        if business and "contact_persons" in categories:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                rows[ContactPerson].append(self.contact_person(cid, language, domain))

    def contact_person(self, customer_id, language, domain):
        rng = self.rng
        pools = self.pools
        first = rng.choice(pools.first_names[language])
        last = rng.choice(pools.last_names[language])
        phone = self.mobile() if rng.random() < 0.8 else None
        email = None
        if rng.random() < 0.8:
            local = ".".join(p for p in (ascii_slug(first, "-"), ascii_slug(last, "-")) if p)
            email = self.unique_email(local or "yhteys", domain)
        details = None
        if rng.random() < 0.2:
            login = (ascii_slug(first)[:1] + ascii_slug(last))[:12] or "kayttaja"
            details = rng.choice(USER_DETAILS).format(login=login)
        return (self._id(ContactPerson), customer_id, first, last,
                rng.choice(CONTACT_ROLES), phone, email, details)

    def invoice(self, customer_id, invoice_date, amount):
        rng = self.rng
        iid = self._id(Invoice)
        due_date = invoice_date + datetime.timedelta(days=rng.choice((14, 30)))
        paid_on = None
        if due_date >= REFERENCE_DAY:
            state = PAID if rng.random() < 0.3 else OPEN
        else:
            r = rng.random()
            overdue_days = (REFERENCE_DAY - due_date).days
            if r < 0.82:
                state = PAID
            elif r < 0.89:
                state = REMINDED
            elif r < 0.95:
                state = IN_COLLECTION
            elif r < 0.97:
                state = WRITTEN_OFF if overdue_days > 365 else IN_COLLECTION
            else:
                state = OPEN
        if state == PAID:
            latest = min((due_date - invoice_date).days + 25, (REFERENCE_DAY - invoice_date).days)
            paid_on = invoice_date + datetime.timedelta(days=rng.randint(0, max(latest, 0)))
        number = f"{invoice_date.year}-{iid:07d}"
        return (iid, customer_id, number, invoice_date, due_date, amount, paid_on, state)


# --- Writing ------------------------------------------------------------------------


def _next_ids():
    """Return, per table, the first id after the largest one stored."""
    return {
        model: (model.select(pw.fn.MAX(model.id)).scalar() or 0) + 1 for model in FIELDS
    }


def _insert(model, rows):
    """Insert ``rows`` (tuples in FIELDS order) in statements under the parameter limit.

    The statement is written here rather than by ``insert_many``: peewee builds a node per
    value, which took three quarters of the time for 100 000 customers. The values still
    pass through each field's ``db_value``.
    """
    fields = FIELDS[model]
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
    group = "(" + ", ".join([db.param] * len(fields)) + ")"
    converters = [field.db_value for field in fields]
    size = max(1, MAX_PARAMETERS // len(fields))
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        params = [
            convert(value)
            for row in batch
            for convert, value in zip(converters, row)
        ]
        db.execute_sql(head + ", ".join([group] * len(batch)), params)


def _advance_sequences(models):
    """Move PostgreSQL's id sequences past the ids assigned here."""
    for model in models:
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f' (SELECT MAX(id) FROM "{table}"))'
        )


def generate(count, seed, sections, progress=None):
    """Add ``count`` made-up customers with their rows to ``sections``; return counts per table."""
    sections = list(sections)
    if not sections:
        raise ValueError("demo data needs at least one section")
    generator = _Generator(seed, sections, _next_ids())
    counts = {name: 0 for name in COUNT_NAMES.values()}
    touched = set()
    made = 0
    while made < count:
        n = min(CHUNK, count - made)
        rows = {model: [] for model in FIELDS}
        for _ in range(n):
            generator.customer(rows)
        with db.atomic():
            for model, model_rows in rows.items():
                if model_rows:
                    _insert(model, model_rows)
                    touched.add(model)
                counts[COUNT_NAMES[model]] += len(model_rows)
            if rows[Customer]:
                first, last = rows[Customer][0][0], rows[Customer][-1][0]
                refresh_city(first_id=first, last_id=last)
        made += n
        if progress is not None:
            progress(n)
    if isinstance(db.obj, pw.PostgresqlDatabase) and touched:
        _advance_sequences(m for m in FIELDS if m in touched)
    return counts

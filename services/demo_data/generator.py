"""The generator: one made-up customer at a time, with the rows it owns.

Every random choice comes from one ``random.Random(seed)`` in a fixed order, and every
date is counted back from ``REFERENCE``: the same seed gives the same rows. The private
persons' marketing consents draw from a second generator of their own, so that adding them
left every other row of a seed as it was.
"""

import datetime
import decimal
import random

from models import (
    ADDRESS_KINDS,
    COLLECTION_STATES,
    CONSENT_METHODS,
    CUSTOMER_KINDS,
    DIRECTIONS,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    MarketingConsent,
    Purchase,
)
from services.consent import CURRENT_WORDING
from services.demo_data.pools import Pools, ascii_slug, business_id, weighted
from services.demo_data.vocabulary import (
    ALL_SERVICES,
    BUSINESS_MAIL_LOCALS,
    BUSINESS_MAIL_TLD,
    CHANNEL_WEIGHTS,
    CONTACT_ROLES,
    EDUCATION,
    INFORMED_SHARE,
    INFORMED_WEIGHTS,
    KIND_WEIGHTS,
    LANDLINE_AREAS,
    LANGUAGE_WEIGHTS,
    MOBILE_PREFIXES,
    NOT_REACHABLE_REASONS,
    OWN_INFO,
    PERSON_MAIL_DOMAINS,
    SERVICES,
    SUMMARIES,
    USER_DETAILS,
    postal_areas,
)

# Every generated date is counted back from here.
REFERENCE = datetime.datetime(2026, 11, 1, 12, 0, 0)
REFERENCE_DAY = REFERENCE.date()

DAY = 86400
YEAR = 365 * DAY

PERSON, COMPANY, ORGANISATION = CUSTOMER_KINDS

# The share of private persons with an email (a mobile number) who consented to email
# (SMS) marketing, the share of consents withdrawn since, and when the current consent
# text came into use.
CONSENT_SHARES = {"email": 0.4, "sms": 0.25}
CONSENT_WITHDRAWN_SHARE = 0.1
CONSENT_TEXT_FROM = datetime.datetime(2026, 1, 1, 9, 0, 0)
POSTAL, VISITING, BILLING = ADDRESS_KINDS
OPEN, PAID, REMINDED, IN_COLLECTION, WRITTEN_OFF = COLLECTION_STATES


class Generator:
    """Makes the rows of one run; ``next_id`` continues each table's ids."""

    def __init__(self, seed, sections, next_id):
        self.rng = rng = random.Random(seed)
        self.consent_rng = random.Random(f"{seed}-consent")
        self.pools = Pools(seed)
        self.sections = sections
        self.next_id = next_id
        self.emails_seen = {}
        self.pick_kind = weighted(rng, KIND_WEIGHTS)
        self.pick_language = weighted(rng, LANGUAGE_WEIGHTS)
        self.pick_informed = weighted(rng, INFORMED_WEIGHTS)
        self.pick_channel = weighted(rng, CHANNEL_WEIGHTS)
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
        capital, every = postal_areas()
        r = rng.random()
        if r < 0.87:
            city = "HELSINKI" if r < 0.70 else "ESPOO" if r < 0.80 else "VANTAA"
            postal_code = rng.choice(capital[city])
        else:
            postal_code, city = rng.choice(every)
        # Where it came from (seed §7): the customer, or Posti's address service, checked.
        source, checked_on = "customer", None
        if rng.random() < 0.3:
            source = "posti"
            checked_on = REFERENCE_DAY - datetime.timedelta(days=rng.randint(0, 3 * 365))
        return (self._id(Address), customer_id, kind, street, postal_code, city.title(), "FI",
                source, checked_on)

    # One customer and everything it owns.

    # One customer and everything it owns, step by step (the steps draw in this order).

    def customer(self, rows):
        """Add one made-up customer and the rows it owns to ``rows`` (lists per model)."""
        rng = self.rng
        section, categories, services = rng.choice(self.section_info)
        cid = self._id(Customer)
        kind = self.pick_kind()
        language = self.pick_language()
        if kind != PERSON and language == "other":
            language = "en"
        who = self._person(language) if kind == PERSON else self._organisation(kind)
        # Only the data categories the section keeps (seed §6).
        if "phone" not in categories:
            who["phone"] = who["mobile"] = None
        if "fax" not in categories:
            who["fax"] = None
        if "email" not in categories:
            who["email"] = None
        own_info = rng.choice(OWN_INFO) if rng.random() < 0.12 else None
        period = self._active_period()  # (created, active until)
        created_at = period[0]
        informed = self._informed(created_at)
        activity = []  # every moment of contact, purchase or invoice
        if "history" in categories:
            activity += self._contact_events(rows, cid, services, period)
            activity += self._purchases(rows, cid, kind, categories, services, period)
        last_activity_at = max(activity) if activity else None
        newest = max(last_activity_at or created_at, created_at)
        updated_at = self.moment(created_at, newest)

        rows[Customer].append(
            (cid, section.id, kind, who["first_name"], who["last_name"], who["name"],
             who["display"].casefold(), who["birth_date"], who["business_id"], who["phone"],
             who["mobile"], who["fax"], who["email"], language, own_info,
             *informed, created_at, updated_at, last_activity_at, 1,
             *self._source(kind))
        )
        self._owned_rows(rows, cid, kind, language, who["domain"], categories, created_at)
        if kind == PERSON:
            self._consents(rows, cid, created_at, {"email": who["email"], "sms": who["mobile"]})

    def _consents(self, rows, cid, created_at, addresses):
        """Add a private person's marketing consents: some given, a few withdrawn since."""
        rng = self.consent_rng
        for channel, share in CONSENT_SHARES.items():
            if not addresses[channel] or rng.random() >= share:
                continue
            given_at = _between(rng, max(created_at, CONSENT_TEXT_FROM), REFERENCE)
            withdrawn_at = withdrawn_how = None
            if rng.random() < CONSENT_WITHDRAWN_SHARE:
                withdrawn_at = _between(rng, given_at, REFERENCE)
                withdrawn_how = rng.choice(CONSENT_METHODS)
            rows[MarketingConsent].append(
                (self._id(MarketingConsent), cid, channel, given_at.date(),
                 rng.choice(CONSENT_METHODS), CURRENT_WORDING, given_at, withdrawn_at,
                 withdrawn_how))

    def _source(self, kind):
        """Return where a customer's data came from (seed §7): the source and its note."""
        r = self.rng.random()
        if r < 0.05:
            return "import_file", "Messukävijät 2025.xlsx"
        if kind == COMPANY and r < 0.45:
            return "trade_register", None
        return "customer", None

    def _person(self, language):
        """Return a person's names, birth date and contacts, by the customer's columns."""
        rng = self.rng
        first_name = rng.choice(self.pools.first_names[language])
        last_name = rng.choice(self.pools.last_names[language])
        age_days = rng.randint(18 * 365 + 5, 90 * 365 - 5)
        mobile = self.mobile() if rng.random() < 0.85 else None
        phone = self.landline() if rng.random() < 0.2 else None
        email = self.person_email(first_name, last_name) if rng.random() < 0.75 else None
        return {"first_name": first_name, "last_name": last_name, "name": None,
                "display": f"{last_name}, {first_name}",
                "birth_date": REFERENCE_DAY - datetime.timedelta(days=age_days),
                "business_id": None, "phone": phone, "mobile": mobile, "fax": None,
                "email": email, "domain": None}

    def _organisation(self, kind):
        """Return a company's or an organisation's name, Y-tunnus, contacts and mail domain."""
        rng = self.rng
        y_tunnus = None
        if kind == COMPANY:
            name = rng.choice(self.pools.companies)
            y_tunnus = business_id(rng)
        else:
            name = rng.choice(self.pools.organisations)
            if rng.random() < 0.7:
                y_tunnus = business_id(rng)
        domain = f"{ascii_slug(name, '-')}.{BUSINESS_MAIL_TLD}"
        phone = self.landline() if rng.random() < 0.8 else None
        mobile = self.mobile() if rng.random() < 0.3 else None
        fax = self.landline() if rng.random() < 0.08 else None
        email = None
        if rng.random() < 0.85:
            email = self.unique_email(
                rng.choice(BUSINESS_MAIL_LOCALS), domain, number_in_domain=True
            )
        return {"first_name": None, "last_name": None, "name": name, "display": name,
                "birth_date": None, "business_id": y_tunnus, "phone": phone,
                "mobile": mobile, "fax": fax, "email": email, "domain": domain}

    def _active_period(self):
        """Return when the customer was created and until when it was active."""
        rng = self.rng
        # A sixth have been quiet for 5–10 years.
        if rng.random() < 0.16:
            active_until = REFERENCE - datetime.timedelta(seconds=rng.randint(5 * YEAR, 10 * YEAR))
            created_at = active_until - datetime.timedelta(seconds=rng.randint(0, 3 * YEAR))
        else:
            created_at = REFERENCE - datetime.timedelta(seconds=rng.randint(3 * DAY, 12 * YEAR))
            active_until = REFERENCE - datetime.timedelta(seconds=rng.randint(0, 2 * YEAR))
            if active_until < created_at:
                active_until = created_at + datetime.timedelta(seconds=rng.randint(0, 30 * DAY))
        return created_at, active_until

    def _informed(self, created_at):
        """Return when and how the person was told of the register, and why they could not
        be reached (seed §13), or Nones: "not yet informed"."""
        rng = self.rng
        if rng.random() >= INFORMED_SHARE:
            return None, None, None
        informed_at = min(
            created_at + datetime.timedelta(seconds=rng.randint(0, 3 * DAY)), REFERENCE
        )
        informed_how = self.pick_informed()
        reason = rng.choice(NOT_REACHABLE_REASONS) if informed_how == "not_reachable" else None
        return informed_at, informed_how, reason

    def _contact_events(self, rows, cid, services, period):
        """Add the customer's contact history; return the moments of its events."""
        rng = self.rng
        moments = []
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4))):
            occurred_at = self.moment(*period)
            direction = rng.choice(DIRECTIONS)
            summary = rng.choice(SUMMARIES[direction]).format(
                service=rng.choice(services).lower()
            )
            rows[ContactEvent].append(
                (self._id(ContactEvent), cid, occurred_at, direction,
                 self.pick_channel(), summary, None)
            )
            moments.append(occurred_at)
        return moments

    def _purchases(self, rows, cid, kind, categories, services, period):
        """Add the customer's purchases and, in a section that bills, their invoices;
        return the moments of both."""
        rng = self.rng
        moments = []
        bills = "billing" in categories
        purchases = rng.choice((0, 0, 0, 1, 1, 2, 3) if bills else (0, 0, 0, 0, 1, 1, 2))
        for _ in range(purchases):
            purchased_on = self.moment(*period).date()
            if bills or rng.random() < 0.5:
                scale = 400 if kind == PERSON else 4000
                amount = decimal.Decimal(rng.randint(20 * 100, scale * 100)) / 100
            else:
                amount = None  # free advice
            rows[Purchase].append(
                (self._id(Purchase), cid, rng.choice(services), purchased_on, amount)
            )
            moments.append(datetime.datetime.combine(purchased_on, datetime.time()))
            if bills and amount is not None and rng.random() < 0.9:
                invoice_date = min(
                    purchased_on + datetime.timedelta(days=rng.randint(0, 7)), REFERENCE_DAY
                )
                rows[Invoice].append(self.invoice(cid, invoice_date, amount))
                moments.append(datetime.datetime.combine(invoice_date, datetime.time()))
        return moments

    def _owned_rows(self, rows, cid, kind, language, domain, categories, created_at):
        """Add the customer's addresses, demographics and contact persons its section keeps."""
        rng = self.rng
        business = kind != PERSON
        if "address" in categories:
            rows[Address].append(self.address(cid, POSTAL, business))
            if rng.random() < (0.5 if business else 0.12):
                second = rng.choice((VISITING, BILLING) if business else (BILLING,))
                rows[Address].append(self.address(cid, second, business))

        if kind == PERSON and "demographics" in categories:
            profession = rng.choice(self.pools.professions) if rng.random() < 0.85 else None
            education = rng.choice(EDUCATION) if rng.random() < 0.8 else None
            rows[Demographics].append((self._id(Demographics), cid, profession, education))

        if business and "contact_persons" in categories:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                rows[ContactPerson].append(
                    self.contact_person(cid, language, domain, created_at))

    def contact_person(self, customer_id, language, domain, created_at):
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
                rng.choice(CONTACT_ROLES), phone, email, details, *self._informed(created_at),
                "customer")

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


def _between(rng, start, end):
    """Return a second-precision moment in [start, end], drawn from ``rng``."""
    span = int((end - start).total_seconds())
    return start + datetime.timedelta(seconds=rng.randint(0, max(span, 0)))

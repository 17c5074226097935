"""The building blocks of made-up rows: slugs, Y-tunnus, weighted picks, and the pools of
names, streets, cities and professions that Faker fills once per seed."""

import re
import unicodedata

from faker import Faker

from services.demo_data.vocabulary import (
    ASSOCIATIONS,
    BUSINESS_LINES,
    COMPANY_FORMS,
    FOUNDATIONS,
    NAME_LOCALES,
    PLACES_GENITIVE,
)
from services.hetu import contains_hetu


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


def weighted(rng, weights):
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


def clean(values):
    """Return ``values`` without duplicates, blanks or anything that looks like a henkilötunnus."""
    return [v for v in dict.fromkeys(values) if v and not contains_hetu(v)]


class Pools:
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
            self.first_names[language] = clean(firsts)
            self.last_names[language] = clean(lasts)
        self.streets = clean(fi.street_name() for _ in range(4000))
        self.cities = clean(fi.city() for _ in range(1000))
        self.postcodes = clean(fi.postcode() for _ in range(1000))
        self.professions = clean(fi.job() for _ in range(2000))
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
        self.companies = clean(companies)
        organisations = [
            f"{fi.random_element(PLACES_GENITIVE)} {fi.random_element(ASSOCIATIONS)}"
            for _ in range(600)
        ]
        organisations += [
            f"{genitive(fi.random_element(fi_lasts))} {fi.random_element(FOUNDATIONS)}"
            for _ in range(300)
        ]
        self.organisations = clean(organisations)


"""The names of the imports' codes (issue 15): the fields a column can go to, the usual
headers of those columns in spreadsheets, what a row matching a customer does, and the
states of an import. Keyed by ``models.IMPORT_KINDS``, ``IMPORT_STATES`` and
``DUPLICATE_CHOICES``."""

from services.vocabulary import _l
from services.vocabulary.customers import (
    CUSTOMER_KIND_LABELS,
    CUSTOMER_LANGUAGE_LABELS,
    INFORMED_HOW_LABELS,
)

# The fields a column can be mapped to, in the order the mapping step offers them: the
# customer form's fields, its first address row's, and two columns of the customer list's
# export that split ("Name": "Last, First" of a person; "Birth date or business ID").
TARGETS = {
    "kind": _l("Kind"),
    "first_name": _l("First names"),
    "last_name": _l("Last name"),
    "name": _l("Company or organisation name"),
    "display_name": _l("Name"),
    "birth_date": _l("Birth date"),
    "business_id": _l("Business ID (Y-tunnus)"),
    "id_code": _l("Birth date or business ID"),
    "phone": _l("Phone"),
    "mobile": _l("Mobile phone"),
    "fax": _l("Fax"),
    "email": _l("Email"),
    "language": _l("Language"),
    "own_info": _l("Information the customer gave"),
    "informed_how": _l("How informed"),
    "informed_at": _l("Informed of registration"),
    "not_reachable_reason": _l("Why not reachable"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "city": _l("City"),
    "country": _l("Country"),
}

# Headers spreadsheets use besides the register's own labels (which map in all three
# languages by themselves): Finnish, Swedish and English, compared without case or accents.
HEADER_SYNONYMS = {
    "kind": ("tyyppi", "asiakastyyppi", "asiakaslaji", "kundtyp", "type", "customer type"),
    "first_name": ("etunimi", "etunimet", "förnamn", "first name", "given name"),
    "last_name": ("sukunimi", "efternamn", "surname", "family name"),
    "name": ("yritys", "yrityksen nimi", "toiminimi", "yhteisö", "företag", "företagets namn",
             "firma", "company", "company name", "organisation", "organization"),
    "display_name": ("nimi", "namn", "name", "asiakas", "kund", "customer"),
    "birth_date": ("syntymäaika", "syntymäpäivä", "födelsedatum", "födelsedag",
                   "date of birth", "birthday"),
    "business_id": ("y-tunnus", "ytunnus", "fo-nummer", "organisationsnummer",
                    "business id", "business identity code"),
    "phone": ("puhelin", "puhelinnumero", "telefon", "telefonnummer", "phone number",
              "telephone"),
    "mobile": ("matkapuhelin", "gsm", "kännykkä", "mobiili", "mobiltelefon", "mobil",
               "mobile", "cell phone"),
    "fax": ("faksi", "telefaksi", "telefax"),
    "email": ("sähköposti", "sähköpostiosoite", "e-post", "e-postadress", "e-mail",
              "email address"),
    "language": ("asiointikieli", "kieli", "språk", "kommunikationsspråk", "language"),
    "informed_how": ("informointitapa", "informerad hur"),
    "informed_at": ("informoitu", "informointiaika", "informerad"),
    "street": ("katuosoite", "osoite", "lähiosoite", "gatuadress", "adress", "address",
               "street"),
    "postal_code": ("postinumero", "postinro", "postnummer", "postal code", "zip",
                    "zip code", "postcode"),
    "city": ("postitoimipaikka", "kaupunki", "kotikunta", "postort", "stad", "town"),
    "country": ("maa", "land", "country code", "maakoodi", "landskod"),
}

# The choice columns: a cell holds a code or its label in any of the three languages.
CHOICE_LABELS = {
    "kind": CUSTOMER_KIND_LABELS,
    "language": CUSTOMER_LANGUAGE_LABELS,
    "informed_how": INFORMED_HOW_LABELS,
}

# models.DUPLICATE_CHOICES: what a row matching an existing customer does.
DUPLICATE_CHOICE_LABELS = {
    "create": _l("Create a new customer anyway"),
    "update_empty": _l("Update the existing customer's empty fields only"),
    "update_chosen": _l("Update the existing customer's chosen fields"),
    "skip": _l("Skip the row"),
}

# models.IMPORT_KINDS
IMPORT_KIND_LABELS = {
    "dry_run": _l("Dry run"),
    "commit": _l("Customer import"),
}

# models.IMPORT_STATES
IMPORT_STATE_LABELS = {
    "checked": _l("Checked"),
    "running": _l("Under way"),
    "finished": _l("Finished"),
    "cancelled": _l("Cancelled"),
}

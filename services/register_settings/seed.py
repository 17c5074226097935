"""The first version of the controller's settings: the register description of the seed
(``shared/seed``), its people and prose in Finnish, with Swedish and English.

Migration 019 stores this as settings version 1; from then on the controller changes the
settings on the settings page and this module is not read again.
"""


def _t(fi, sv, en):
    return {"fi": fi, "sv": sv, "en": en}


SEED_DOCUMENT = {
    "register_name": _t(
        "Helsingin kaupungin elinkeinopalvelun asiakasrekisteri",
        "Helsingfors stads näringslivsservices kundregister",
        "Customer register of the City of Helsinki Economic Development services",
    ),
    "controller": _t(
        "Helsingin kaupunki, elinkeinopalvelu: matkailu- ja kongressitoimisto sekä "
        "elinkeinokehitys",
        "Helsingfors stad, näringslivsservicen: Turist- och kongressbyrån samt "
        "Näringslivsutveckling",
        "City of Helsinki, Economic Development services: the Tourism and Convention Bureau "
        "and Business Development",
    ),
    "postal_address": _t(
        "Helsingin kaupungin kirjaamo, PL 10, 00099 Helsingin kaupunki",
        "Helsingfors stads registratorskontor, PB 10, 00099 Helsingfors stad",
        "City of Helsinki Registry Office, P.O. Box 10, FI-00099 City of Helsinki",
    ),
    "decision_maker": {
        "name": "Eero Holstila",
        "title": _t("elinkeinojohtaja", "näringslivsdirektör",
                    "Director of Economic Development"),
        "contact": "",
    },
    "decision_maker_duties": [
        _t("rekisterin kuvauksen ja rekisteriselosteen laatimisesta",
           "upprättandet av registerbeskrivningen och dataskyddsbeskrivningen",
           "drawing up the register's description and its privacy notice"),
        _t("rekisterin käytöstä, tietosisällön ja käyttötarkoituksen määrittelystä, "
           "käyttöoikeuksien myöntämisestä, rekisteröidyn informoinnista ja "
           "tarkastusoikeuden toteuttamisesta, tiedon korjaamisesta sekä tietojen "
           "luovuttamisesta",
           "registrets användning, fastställandet av dess datainnehåll och ändamål, "
           "beviljandet av användarrättigheter, informationen till de registrerade och "
           "verkställandet av rätten till tillgång, rättelse av uppgifter samt utlämnande "
           "av uppgifter",
           "the use of the register, its data content and purposes, granting access, "
           "informing the data subjects and carrying out their right of access, "
           "rectification and disclosures"),
        _t("rekisterin järjestelmäteknisestä ylläpidosta",
           "det systemtekniska underhållet av registret",
           "the technical maintenance of the register's system"),
        _t("rekisterin suojaamisesta ja tietoturvan järjestämisestä, arkistoinnista ja "
           "hävittämisestä",
           "skyddet av registret och ordnandet av informationssäkerheten, arkiveringen "
           "och förstörandet",
           "protecting the register and arranging its information security, archiving "
           "and destruction"),
        _t("rekisterin vastuuhenkilön nimeämisestä ja hänen tehtävistään",
           "utnämningen av registrets ansvarsperson och dennes uppgifter",
           "appointing the register's responsible person and their duties"),
    ],
    "responsible": {
        "name": "Nyrki Tuominen",
        "title": _t("elinkeinopäällikkö", "näringslivschef", "Head of Economic Development"),
        "contact": "",
    },
    "responsible_duties": [
        _t("tarkistaa käyttöoikeudet tarvittaessa, kuitenkin vähintään kerran vuodessa",
           "granska användarrättigheterna vid behov, dock minst en gång om året",
           "review the access rights when needed, and at least once a year"),
        _t("huolehtia tietojärjestelmän tietosuojauksesta",
           "sörja för informationssystemets dataskydd",
           "see to the data protection of the information system"),
        _t("huolehtia, että järjestelmän käyttö ohjeistetaan ja että käyttäjille "
           "järjestetään riittävä koulutus",
           "sörja för att det finns anvisningar för användningen av systemet och att "
           "användarna får tillräcklig utbildning",
           "see that the use of the system is guided and that its users are given "
           "sufficient training"),
    ],
    "handlers": [
        {"section": "tourism", "name": "Tuulikki Becker",
         "title": _t("yhteyspäällikkö", "kontaktchef", "Liaison Manager"), "contact": ""},
        {"section": "business", "name": "Susanna Sinervuo",
         "title": _t("tiedottaja", "informatör", "Information Officer"), "contact": ""},
    ],
    "handler_duties": _t(
        "Rekisteriasioita hoitava henkilö toteuttaa käyttöoikeudet niiden myöntämisen "
        "jälkeen ja antaa tarkempia tietoja rekisteristä sekä rekisteröidyn oikeudesta "
        "tarkastaa ja oikaista itseään koskevia tietoja.",
        "Den som sköter registerärendena verkställer användarrättigheterna efter att de "
        "har beviljats och ger närmare uppgifter om registret och om den registrerades rätt "
        "att granska och rätta uppgifter om sig själv.",
        "The person handling register matters carries out access rights once granted and "
        "gives more information about the register and about the data subject's right to "
        "inspect and rectify their own data.",
    ),
    "purposes": [
        {"text": _t(
            "Asiakas- ja yhteistyösuhteiden hoitaminen: rekisteriä pidetään elinkeinopalvelun "
            "asiakkaista ja yhteistyökumppaneista – yrityksistä, yhteisöistä ja yksityisistä "
            "henkilöistä.",
            "Skötseln av kund- och samarbetsrelationer: registret förs över "
            "näringslivsservicens kunder och samarbetspartner – företag, sammanslutningar och "
            "privatpersoner.",
            "Managing customer and partner relationships: the register is kept of the "
            "Economic Development services' customers and partners – companies, "
            "organisations and private persons."),
         "basis": "public_task"},
        {"text": _t(
            "Palveluiden tuottaminen sekä palveluiden ja tuotteiden toimittaminen asiakkaille.",
            "Produktion av tjänster och leverans av tjänster och produkter till kunderna.",
            "Producing services and delivering services and products to customers."),
         "basis": "contract"},
        {"text": _t(
            "Elinkeinopalvelun ja sen yhteistyökumppaneiden markkinointiviestinnän "
            "kohdistaminen asiakkaille ja yhteistyökumppaneille luovuttamatta henkilötietoja "
            "ulkopuolisille.",
            "Inriktning av marknadskommunikation från näringslivsservicen och dess "
            "samarbetspartner till kunder och samarbetspartner utan att personuppgifter "
            "lämnas ut till utomstående.",
            "Targeting the marketing communication of the Economic Development services and "
            "its partners to customers and partners, without disclosing personal data to "
            "outsiders."),
         "basis": "public_task"},
        {"text": _t(
            "Tutkimus ja tilastointi.",
            "Forskning och statistik.",
            "Research and statistics."),
         "basis": "public_task"},
        {"text": _t(
            "Laskutus ja perintä sekä niiden kirjanpito.",
            "Fakturering och indrivning samt bokföringen av dem.",
            "Billing and collection, and their bookkeeping."),
         "basis": "legal_obligation"},
    ],
    "sources": [
        _t("asiakkaat itse: yritykset, yhteisöt ja yksityiset henkilöt",
           "kunderna själva: företag, sammanslutningar och privatpersoner",
           "the customers themselves: companies, organisations and private persons"),
        _t("Postin (entinen Itella Oyj) osoitepalvelu",
           "Postis (tidigare Itella Oyj) adresstjänst",
           "the address service of Posti (formerly Itella Oyj)"),
        _t("Digi- ja väestötietoviraston (entinen Väestörekisterikeskus) väestötietojärjestelmä",
           "Myndigheten för digitalisering och befolkningsdatas (tidigare "
           "Befolkningsregistercentralen) befolkningsdatasystem",
           "the population information system of the Digital and Population Data Services "
           "Agency (formerly the Population Register Centre)"),
        _t("kaupparekisteri (yritysten tiedot)",
           "handelsregistret (företagens uppgifter)",
           "the trade register (the data of companies)"),
    ],
    "internal_use": _t(
        "Rekisteriä käyttää elinkeinopalvelun henkilökunta. Tietojen rekisteröinnistä ja "
        "päivityksistä vastaa ensisijaisesti elinkeinopalvelun henkilöstö. Rekisteriin "
        "pääseminen edellyttää henkilökohtaista käyttäjätunnusta ja salasanaa. Käyttöoikeus "
        "päättyy henkilön siirtyessä pois niistä tehtävistä, joita varten se on myönnetty, ja "
        "samalla käyttäjätunnus poistetaan.",
        "Registret används av näringslivsservicens personal. Personalen ansvarar i första "
        "hand för registreringen och uppdateringen av uppgifterna. Tillgång till registret "
        "kräver ett personligt användarnamn och lösenord. Användarrätten upphör när personen "
        "lämnar de uppgifter för vilka den beviljades, och samtidigt tas användarnamnet bort.",
        "The register is used by the staff of the Economic Development services, who are "
        "primarily responsible for entering and updating its data. Using the register needs "
        "a personal user name and password. Access ends when the person leaves the duties it "
        "was granted for, and the user name is removed at the same time.",
    ),
    "combining": _t(
        "Rekisteri on vain elinkeinopalvelun käyttöön suunniteltu, eikä sitä yhdistetä muihin "
        "henkilörekistereihin. Tiedot päivitetään asiakkaan antamien tietojen perusteella.",
        "Registret är avsett endast för näringslivsservicens bruk och samkörs inte med andra "
        "personregister. Uppgifterna uppdateras utifrån de uppgifter kunden lämnar.",
        "The register is meant only for the Economic Development services' own use and is not "
        "combined with other personal data registers. Its data is updated from what the "
        "customers give.",
    ),
    "security": [
        _t("Rekisterin tiedot ovat vain elinkeinopalvelun käytössä.",
           "Registrets uppgifter används endast av näringslivsservicen.",
           "The register's data is used only by the Economic Development services."),
        _t("Rekisteriin ei kirjata henkilötunnuksia.",
           "Inga personbeteckningar förs in i registret.",
           "No personal identity codes (henkilötunnus) are entered in the register."),
        _t("Pääsy edellyttää henkilökohtaista käyttäjätunnusta ja salasanaa; käyttöoikeudet "
           "tarkistetaan vähintään kerran vuodessa.",
           "Tillgång kräver personligt användarnamn och lösenord; användarrättigheterna "
           "granskas minst en gång om året.",
           "Access needs a personal user name and password; access rights are reviewed at "
           "least once a year."),
        _t("Palvelimet ovat ympäri vuorokauden vartioidussa ja palosuojatussa tilassa, johon "
           "on pääsy vain teknisellä ylläpitohenkilöstöllä.",
           "Servrarna finns i ett utrymme som bevakas dygnet runt och är brandskyddat, och dit "
           "endast den tekniska underhållspersonalen har tillträde.",
           "The servers are in premises guarded around the clock and protected against "
           "fire, which only the technical maintenance staff can enter."),
        _t("Tiedot varmuuskopioidaan automaattisesti säännöllisin väliajoin.",
           "Uppgifterna säkerhetskopieras automatiskt med jämna mellanrum.",
           "The data is backed up automatically at regular intervals."),
        _t("Jokainen tietojen käsittely kirjataan muuttumattomaan tapahtumalokiin.",
           "Varje behandling av uppgifterna förs in i en oföränderlig händelselogg.",
           "Every processing of the data is recorded in a tamper-evident audit log."),
    ],
    "retention_note": _t(
        "Tietoja säilytetään toiminnan kannalta tarpeellisen ajan, eikä niitä arkistoida "
        "erikseen. Pitkään käyttämättä olleet asiakastiedot poistetaan määräajoin. Paperinen "
        "aineisto hävitetään määräajan kuluttua silppuamalla.",
        "Uppgifterna bevaras så länge de behövs för verksamheten och arkiveras inte separat. "
        "Kunduppgifter som inte har använts på länge raderas med jämna mellanrum. Material på "
        "papper förstörs genom strimling när tiden har gått ut.",
        "The data is kept as long as the work needs it and is not archived separately. "
        "Customer data long unused is deleted periodically. Paper material is shredded when "
        "its time is up.",
    ),
    "informing": _t(
        "Rekisteröinnin yhteydessä henkilölle kerrotaan, että häntä koskevia tietoja "
        "tallennetaan asiakasrekisteriin. Rekisteriseloste ja tietosuojaseloste ovat "
        "nähtävillä verkossa ja rekisterin vastuuhenkilöillä.",
        "När en person registreras informeras hen om att uppgifter om hen förs in i "
        "kundregistret. Registerbeskrivningen och dataskyddsbeskrivningen finns på webben och "
        "hos registrets ansvarspersoner.",
        "When a person is registered, they are told that data about them is stored in the "
        "customer register. The register description and the privacy notice can be read "
        "online and at the register's responsible persons.",
    ),
    "transfers": _t(
        "Tietoja ei siirretä Euroopan unionin tai Euroopan talousalueen ulkopuolelle.",
        "Uppgifterna överförs inte utanför Europeiska unionen eller Europeiska "
        "ekonomiska samarbetsområdet.",
        "The data is not transferred outside the European Union or the European Economic "
        "Area.",
    ),
    "supervisory": {
        "name": _t("Tietosuojavaltuutetun toimisto", "Dataombudsmannens byrå",
                   "Office of the Data Protection Ombudsman"),
        "address": _t("PL 800, 00531 Helsinki", "PB 800, 00531 Helsingfors",
                      "P.O. Box 800, FI-00531 Helsinki"),
        "web": "https://tietosuoja.fi",
    },
    "instructions": _t(
        "Sisäiset rekisteritoiminnan ohjeet laaditaan erikseen, ja ne ovat käyttäjien "
        "luettavissa rekisterissä. Henkilöstön koulutus suunnitellaan erikseen.",
        "Interna anvisningar för registerverksamheten utarbetas separat och finns att läsa "
        "för användarna i registret. Personalens utbildning planeras separat.",
        "Internal instructions for register work are drawn up separately and can be read by "
        "the users in the register. Staff training is planned separately.",
    ),
}

"""The prose of the inspection report (seed §14; GDPR Art. 15), in Finnish, Swedish and English.

The statutory information of the register description (§2, §5, §7, §8, §12, §14–§17) and
the refusal letter: a table per language below, so that each language version can be read
and checked as a whole. The report's labels — of fields, codes, data categories, relations
— and its words are the register's vocabulary (``services.vocabulary.report``), the same
words the screens use, translated through the register's catalogs.
"""

# --- the document's prose -----------------------------------------------------------------
# Each language: the titles and sentences of the report and of the refusal letter, and the
# statutory sections as (code, heading, paragraphs). Sentences with {placeholders} are
# filled by services/report/; those of the statutory sections with the controller's
# settings and the live configuration (services/report/facts.py): a paragraph that is a
# placeholder alone (``"{purposes}"``) becomes one paragraph an item.

_FI = {
    "title": "Ote Helsingin kaupungin elinkeinopalvelun asiakasrekisteristä",
    "subtitle": "Rekisteröidyn tarkastusoikeus (EU:n yleinen tietosuoja-asetus, 15 artikla)",
    "intro": (
        "Tähän otteeseen on koottu kaikki tiedot, jotka asiakasrekisteriin on tallennettu "
        "sinusta, kaikista rekisterin osista, sekä tiedot, jotka sinulla on oikeus saada "
        "rekisterin käytöstä. Ote on laadittu {generated}."
    ),
    "intro_part": (
        "Tähän otteeseen on koottu kaikki tiedot, jotka asiakasrekisterin osaan ”{section}” "
        "on tallennettu sinusta, sekä tiedot, jotka sinulla on oikeus saada rekisterin "
        "käytöstä. Jos pyysit tietoja myös rekisterin muista osista, ne toimitetaan "
        "erikseen. Ote on laadittu {generated}."
    ),
    "received": "Tarkastuspyyntösi saapui {received}.",
    "informed": "Sinulle on ilmoitettu tietojesi rekisteröinnistä {at} ({how}).",
    "informed_no_how": "Sinulle on ilmoitettu tietojesi rekisteröinnistä {at}.",
    "not_reachable": "Sinua ei tavoitettu, kun tietojesi rekisteröinnistä yritettiin "
                     "ilmoittaa {at}. Syy: {reason}",
    "not_informed": (
        "Rekisteriin ei ole merkitty, milloin ja miten sinulle on ilmoitettu tietojesi "
        "rekisteröinnistä."
    ),
    "sources_heading": "Mistä tiedot on saatu",
    "sources_own": "Perustiedot",
    "source_checked": "{source}, tarkistettu {checked}",
    "basis": "käsittelyperuste: {basis} (EU:n yleisen tietosuoja-asetuksen 6 artiklan 1 "
             "kohdan {point} alakohta)",
    "file_name": "rekisteriote",
    "refusal_title": "Päätös tarkastuspyyntöön",
    "refusal_file_name": "paatos-tarkastuspyyntoon",
    "refusal_intro": (
        "Olet pyytänyt saada tarkastaa, mitä tietoja Helsingin kaupungin elinkeinopalvelun "
        "asiakasrekisteriin on tallennettu sinusta. Pyyntösi saapui {received}."
    ),
    "refusal_decision": (
        "Pyyntöäsi ei toteuteta. Päätös tehtiin {decided}. Tämän vuoksi kirjeeseen ei "
        "sisälly rekisterin tietoja."
    ),
    "refusal_reason": "Perustelu",
    "refusal_no_reason": "Päätökseen ei ole kirjattu perustelua.",
    "sections": [
        ("controller", "Rekisterinpitäjä", [
            "{controller}. Rekisterin nimi on {register_name}.",
            "Rekisteriä koskevaa päätösvaltaa käyttää rekisterinpitäjänä {decision_maker}. "
            "Rekisterin vastuuhenkilö on {responsible}.",
            "Rekisteriasioita hoitavat rekisterin osissa {handlers}. Heiltä saat tarkempia "
            "tietoja rekisteristä ja oikeuksiesi käyttämisestä.",
            "Kirjalliset pyynnöt: {postal_address}.",
        ]),
        ("purposes", "Mihin tietoja käytetään", [
            "{purposes}",
            "Tietojen perusteella ei tehdä automaattisia päätöksiä, joilla olisi sinuun "
            "kohdistuvia oikeusvaikutuksia.",
        ]),
        ("sources", "Mistä tiedot saadaan", [
            "Tiedot saadaan seuraavista lähteistä: {sources}.",
        ]),
        ("recipients", "Kenelle tietoja luovutetaan", [
            "Henkilötietoja luovutetaan vain seuraaville vastaanottajille: {recipients}.",
            "Toimintakertomuksia, tutkimusta ja muita vastaavia tarkoituksia varten "
            "rekisteristä luovutetaan vain tilastotietoja, jotka eivät sisällä henkilötietoja.",
            "Tietoja ei luovuteta suoramarkkinointiin eikä markkina- tai mielipidetutkimukseen "
            "ilman lupaasi.",
        ]),
        ("retention", "Kuinka kauan tietoja säilytetään", [
            "Tietoja säilytetään niin kauan kuin ne ovat toiminnan kannalta tarpeen. Pitkään "
            "käyttämättä olleet asiakastiedot poistetaan rekisteristä määräajoin. Tietoja ei "
            "arkistoida erikseen.",
            "Laskutus- ja perintätiedot säilytetään kirjanpitolain (1336/1997) 2 luvun 10 §:n "
            "edellyttämän ajan: tositteet kuusi vuotta ja kirjanpitokirjat kymmenen vuotta "
            "tilikauden päättymisestä. Sen jälkeen ne poistetaan tai niistä poistetaan "
            "henkilötiedot.",
            "Paperinen aineisto hävitetään säilytysajan päätyttyä silppuamalla.",
        ]),
        ("rights", "Oikeutesi ja niiden käyttäminen", [
            "Oikeutesi perustuvat EU:n yleiseen tietosuoja-asetukseen (2016/679) ja "
            "tietosuojalakiin (1050/2018).",
            "Tarkastusoikeus: Voit tarkastaa, mitä tietoja sinusta on rekisteriin tallennettu. "
            "Esitä pyyntö henkilökohtaisesti tai kirjallisesti rekisteriasioita hoitavalle "
            "henkilölle. Pyynnön toteuttamisesta päättää rekisterin vastuuhenkilö, ja se "
            "toteutetaan viikon kuluessa pyynnön esittämisestä. Paikan päällä suullisesti "
            "esitetty pyyntö voidaan toteuttaa heti, jos henkilöllisyytesi voidaan todentaa ja "
            "paikalla on rekisterin käyttäjätunnukset omaava henkilö.",
            "Oikeus tiedon korjaamiseen: Voit vaatia virheellisen, puutteellisen tai "
            "vanhentuneen tiedon korjaamista. Esitä pyyntö kirjallisesti milloin tahansa "
            "rekisteriasioita hoitavalle henkilölle tai rekisterin vastuuhenkilölle. "
            "Henkilötietojen oikeellisuus tarkistetaan tarvittaessa väestötietojärjestelmästä "
            "ja yritysten tiedot kaupparekisteristä.",
            "Kielto-oikeus: Rekisteristä ei luovuteta tietoja suoramarkkinointiin eikä markkina- "
            "tai mielipidetutkimukseen ilman lupaasi. Voit kieltää tietojesi käytön "
            "suoramarkkinointiin sekä markkina- ja mielipidetutkimukseen ilmoittamalla siitä "
            "rekisteriasioita hoitavalle henkilölle, ja voit myöhemmin perua kiellon.",
            "Oikeus tietojen poistamiseen: Voit pyytää tietojesi poistamista, kun niitä ei enää "
            "tarvita siihen tarkoitukseen, jota varten ne on kerätty. Tietoja, jotka on lain "
            "mukaan säilytettävä, kuten kirjanpitolain mukaisia laskutustietoja, ei voida "
            "poistaa ennen säilytysajan päättymistä.",
            "Voit myös pyytää tietojesi käsittelyn rajoittamista tai vastustaa käsittelyä "
            "tietosuoja-asetuksen 18 ja 21 artiklassa säädetyin edellytyksin.",
            "Oikeus tehdä valitus: Jos katsot, että henkilötietojesi käsittelyssä rikotaan "
            "tietosuojasäännöksiä, voit tehdä valituksen tietosuojavaltuutetulle: "
            "{supervisory}. "
            "Sinulla on myös oikeus saattaa asia tuomioistuimen käsiteltäväksi.",
        ]),
    ],
}

_SV = {
    "title": "Utdrag ur Helsingfors stads näringslivsservices kundregister",
    "subtitle": "Den registrerades rätt till tillgång (EU:s allmänna dataskyddsförordning, "
                "artikel 15)",
    "intro": (
        "I detta utdrag finns alla uppgifter om dig som har registrerats i kundregistret, "
        "från alla delar av registret, samt den information om registrets användning som du "
        "har rätt att få. Utdraget har upprättats {generated}."
    ),
    "intro_part": (
        "I detta utdrag finns alla uppgifter om dig som har registrerats i kundregistrets "
        "del ”{section}”, samt den information om registrets användning som du har rätt "
        "att få. Om du också begärde uppgifter ur registrets andra delar lämnas de "
        "separat. Utdraget har upprättats {generated}."
    ),
    "received": "Din begäran om tillgång kom in {received}.",
    "informed": "Du har informerats om att dina uppgifter registreras {at} ({how}).",
    "informed_no_how": "Du har informerats om att dina uppgifter registreras {at}.",
    "not_reachable": "Du nåddes inte när vi försökte informera dig om att dina uppgifter "
                     "registreras {at}. Orsak: {reason}",
    "not_informed": (
        "I registret finns ingen anteckning om när och hur du har informerats om att dina "
        "uppgifter registreras."
    ),
    "sources_heading": "Varifrån uppgifterna kommer",
    "sources_own": "Grunduppgifter",
    "source_checked": "{source}, kontrollerad {checked}",
    "basis": "rättslig grund: {basis} (artikel 6.1 {point} i EU:s allmänna "
             "dataskyddsförordning)",
    "file_name": "registerutdrag",
    "refusal_title": "Beslut om begäran om tillgång",
    "refusal_file_name": "beslut-om-begaran-om-tillgang",
    "refusal_intro": (
        "Du har begärt att få veta vilka uppgifter om dig som har registrerats i Helsingfors "
        "stads näringslivsservices kundregister. Din begäran kom in {received}."
    ),
    "refusal_decision": (
        "Din begäran verkställs inte. Beslutet fattades {decided}. Därför innehåller brevet "
        "inga uppgifter ur registret."
    ),
    "refusal_reason": "Motivering",
    "refusal_no_reason": "Ingen motivering har antecknats för beslutet.",
    "sections": [
        ("controller", "Personuppgiftsansvarig", [
            "{controller}. Registrets namn är {register_name}.",
            "Beslutanderätten i frågor som gäller registret utövas av {decision_maker} som "
            "personuppgiftsansvarig. Registrets ansvarsperson är {responsible}.",
            "Registerärendena sköts i registrets delar av {handlers}. Av dem får du närmare "
            "uppgifter om registret och om hur du kan utöva dina rättigheter.",
            "Skriftliga begäranden: {postal_address}.",
        ]),
        ("purposes", "Vad uppgifterna används till", [
            "{purposes}",
            "Uppgifterna används inte för automatiserade beslut som har rättsverkan för dig.",
        ]),
        ("sources", "Varifrån uppgifterna fås", [
            "Uppgifterna fås från följande källor: {sources}.",
        ]),
        ("recipients", "Till vem uppgifterna lämnas ut", [
            "Personuppgifter lämnas ut endast till följande mottagare: {recipients}.",
            "För verksamhetsberättelser, forskning och andra motsvarande ändamål lämnas endast "
            "statistiska uppgifter ut ur registret, och de innehåller inga personuppgifter.",
            "Uppgifter lämnas inte ut för direktmarknadsföring eller för marknads- eller "
            "opinionsundersökningar utan ditt samtycke.",
        ]),
        ("retention", "Hur länge uppgifterna bevaras", [
            "Uppgifterna bevaras så länge de behövs för verksamheten. Kunduppgifter som inte "
            "har använts på länge raderas ur registret med jämna mellanrum. Uppgifterna "
            "arkiveras inte separat.",
            "Fakturerings- och indrivningsuppgifter bevaras så länge som 2 kap. 10 § i "
            "bokföringslagen (1336/1997) kräver: verifikationer i sex år och bokföringsböcker i "
            "tio år från utgången av räkenskapsperioden. Därefter raderas de eller avlägsnas "
            "personuppgifterna ur dem.",
            "Material på papper förstörs genom strimling när bevaringstiden har gått ut.",
        ]),
        ("rights", "Dina rättigheter och hur du utövar dem", [
            "Dina rättigheter grundar sig på EU:s allmänna dataskyddsförordning (2016/679) och "
            "dataskyddslagen (1050/2018).",
            "Rätt till tillgång: Du kan kontrollera vilka uppgifter om dig som har registrerats. "
            "Framför begäran personligen eller skriftligen till den person som sköter "
            "registerärendena. Registrets ansvarsperson beslutar om begäran, och den verkställs "
            "inom en vecka från att den framställts. En muntlig begäran som framförs på plats "
            "kan verkställas genast, om din identitet kan styrkas och en person med "
            "användarkoder till registret är i tjänst.",
            "Rätt till rättelse: Du kan kräva att en felaktig, ofullständig eller föråldrad "
            "uppgift rättas. Framför begäran skriftligen när som helst till den person som "
            "sköter registerärendena eller till registrets ansvarsperson. Personuppgifternas "
            "riktighet kontrolleras vid behov i befolkningsdatasystemet och företagens "
            "uppgifter i handelsregistret.",
            "Rätt att förbjuda: Uppgifter ur registret lämnas inte ut för direktmarknadsföring "
            "eller för marknads- eller opinionsundersökningar utan ditt samtycke. Du kan "
            "förbjuda att dina uppgifter används för direktmarknadsföring och för marknads- och "
            "opinionsundersökningar genom att meddela den person som sköter registerärendena, "
            "och du kan senare återkalla förbudet.",
            "Rätt till radering: Du kan begära att dina uppgifter raderas när de inte längre "
            "behövs för det ändamål för vilket de samlades in. Uppgifter som enligt lag ska "
            "bevaras, såsom faktureringsuppgifter enligt bokföringslagen, kan inte raderas "
            "innan bevaringstiden har gått ut.",
            "Du kan också begära att behandlingen av dina uppgifter begränsas eller invända mot "
            "behandlingen på de villkor som anges i artiklarna 18 och 21 i "
            "dataskyddsförordningen.",
            "Rätt att lämna klagomål: Om du anser att behandlingen av dina personuppgifter "
            "strider mot dataskyddsbestämmelserna kan du lämna ett klagomål till "
            "dataombudsmannen: {supervisory}. Du har också rätt att föra ärendet till "
            "domstol.",
        ]),
    ],
}

_EN = {
    "title": "Extract from the customer register of the City of Helsinki Economic "
             "Development services",
    "subtitle": "The data subject's right of access (EU General Data Protection Regulation, "
                "Article 15)",
    "intro": (
        "This extract contains all data about you recorded in the customer register, from "
        "every part of the register, and the information about the register's use that you "
        "are entitled to receive. It was prepared on {generated}."
    ),
    "intro_part": (
        "This extract contains all data about you recorded in the part “{section}” of the "
        "customer register, and the information about the register's use that you are "
        "entitled to receive. If you asked for data from the register's other parts too, "
        "they are given separately. It was prepared on {generated}."
    ),
    "received": "Your request for access was received on {received}.",
    "informed": "You were informed that your data is recorded in the register on {at} ({how}).",
    "informed_no_how": "You were informed that your data is recorded in the register on {at}.",
    "not_reachable": "You could not be reached when we tried to inform you on {at} that your "
                     "data is recorded in the register. Reason: {reason}",
    "not_informed": (
        "The register has no record of when and how you were informed that your data is "
        "recorded in it."
    ),
    "sources_heading": "Where the data came from",
    "sources_own": "Basic data",
    "source_checked": "{source}, checked on {checked}",
    "basis": "lawful basis: {basis} (Article 6(1)({point}) of the EU General Data Protection "
             "Regulation)",
    "file_name": "register-extract",
    "refusal_title": "Decision on your request for access",
    "refusal_file_name": "decision-on-request-for-access",
    "refusal_intro": (
        "You asked to see the data recorded about you in the customer register of the City "
        "of Helsinki Economic Development services. Your request was received on {received}."
    ),
    "refusal_decision": (
        "Your request will not be carried out. The decision was made on {decided}. This "
        "letter therefore contains no data from the register."
    ),
    "refusal_reason": "Reason",
    "refusal_no_reason": "No reason was recorded for the decision.",
    "sections": [
        ("controller", "Controller", [
            "{controller}. The register is the {register_name}.",
            "{decision_maker} exercises the controller's decision-making power over the "
            "register. The person responsible for the register is {responsible}.",
            "Register matters are handled in the register's sections by {handlers}. They can "
            "tell you more about the register and about using your rights.",
            "Written requests: {postal_address}.",
        ]),
        ("purposes", "What the data is used for", [
            "{purposes}",
            "No automated decisions with legal effects on you are made on the basis of the "
            "data.",
        ]),
        ("sources", "Where the data comes from", [
            "The data is obtained from these sources: {sources}.",
        ]),
        ("recipients", "Who receives the data", [
            "Personal data is disclosed only to these recipients: {recipients}.",
            "For annual reports, research and similar purposes, only statistics that contain "
            "no personal data are disclosed from the register.",
            "Data is not disclosed for direct marketing or for market or opinion research "
            "without your consent.",
        ]),
        ("retention", "How long the data is kept", [
            "The data is kept for as long as it is needed for the services. Customer data that "
            "has not been used for a long time is deleted from the register periodically. The "
            "data is not archived separately.",
            "Billing and collection data is kept for as long as chapter 2, section 10 of the "
            "Accounting Act (1336/1997) requires: vouchers for six years and the books for ten "
            "years from the end of the financial year. After that it is deleted or the personal "
            "data is removed from it.",
            "Paper material is destroyed by shredding when its keeping period has ended.",
        ]),
        ("rights", "Your rights and how to use them", [
            "Your rights are based on the EU General Data Protection Regulation (2016/679) and "
            "the Finnish Data Protection Act (1050/2018).",
            "Right of access: You may check what data about you is recorded in the register. "
            "Make the request in person or in writing to the person handling register matters. "
            "The person responsible for the register decides on the request, and it is carried "
            "out within one week of being made. An oral request made on site can be served at "
            "once if your identity can be verified and a person with access to the register is "
            "at work.",
            "Right to rectification: You may require incorrect, incomplete or outdated data to "
            "be corrected. Make the request in writing at any time to the person handling "
            "register matters or to the person responsible for the register. The accuracy of "
            "personal data is checked when needed against the population information system, "
            "and company data against the trade register.",
            "Right to prohibit: No data is disclosed from the register for direct marketing or "
            "for market or opinion research without your consent. You may prohibit the use of "
            "your data for direct marketing and for market and opinion research by telling the "
            "person handling register matters, and you may later withdraw the prohibition.",
            "Right to erasure: You may ask for your data to be erased when it is no longer "
            "needed for the purpose for which it was collected. Data that must be kept by law, "
            "such as billing data under the Accounting Act, cannot be erased before its keeping "
            "period ends.",
            "You may also ask for the processing of your data to be restricted, or object to "
            "the processing, on the grounds set out in Articles 18 and 21 of the Regulation.",
            "Right to lodge a complaint: If you consider that the processing of your personal "
            "data breaks data protection law, you may lodge a complaint with the Data "
            "Protection Ombudsman: {supervisory}. You also have the right to take the matter "
            "to court.",
        ]),
    ],
}

DOCUMENT_TEXTS = {"fi": _FI, "sv": _SV, "en": _EN}

# The sections the refusal letter carries (no register data: how to complain, who decided).
REFUSAL_SECTIONS = ("rights", "controller")

# Date and time patterns per language (CLDR); times are shown in Helsinki time.
DATE_FORMATS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMMM yyyy"}
DATETIME_FORMATS = {"fi": "d.M.yyyy 'klo' H.mm", "sv": "d.M.yyyy 'kl.' H.mm",
                    "en": "d MMMM yyyy, HH:mm"}
# Babel locales for numbers (a space between thousands and a decimal comma in fi and sv).
NUMBER_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

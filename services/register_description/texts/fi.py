"""The register description, privacy notice and record of processing in Finnish: their
headings and the sentences that join the settings' facts. Every fact comes from the
publication; a {placeholder} is filled by the builders."""

TEXTS = {
    "description_title": "Rekisteriseloste",
    "notice_title": "Tietosuojaseloste",
    "record_title": "Seloste käsittelytoimista",
    "record_subtitle": "EU:n yleinen tietosuoja-asetus (2016/679), 30 artiklan 1 kohta",
    "file_description": "rekisteriseloste",
    "file_notice": "tietosuojaseloste",
    "file_record": "seloste-kasittelytoimista",
    "version": "Versio {number}, julkaistu {date}",
    "page": "Sivu %(page)s/%(pages)s",
    "description_headings": {
        "name": "1 Rekisterin nimi",
        "controller": "2 Rekisterinpitäjä",
        "responsible": "3 Rekisterin vastuuhenkilö",
        "handlers": "4 Rekisteriasioita hoitava henkilö",
        "purposes": "5 Rekisterin käyttötarkoitus",
        "content": "6 Rekisterin tietosisältö",
        "sources": "7 Rekisterin säännönmukaiset tietolähteet",
        "disclosures": "8 Säännönmukaiset henkilötietojen luovutukset",
        "internal_use": "9 Rekisterin sisäinen käyttö",
        "combining": "10 Rekisterin yhdistäminen muihin henkilörekistereihin",
        "security": "11 Rekisterin suojaaminen",
        "retention": "12 Henkilörekisterin ja rekisteritietojen säilytys, arkistointi ja "
                     "hävittäminen",
        "informing": "13 Rekisteröidyn informointi",
        "access": "14 Tarkastusoikeus",
        "rectification": "15 Tiedon korjaaminen",
        "prohibition": "16 Kielto-oikeus",
        "administration": "17 Rekisterihallinto",
        "instructions": "18 Sisäiset rekisteritoiminnan ohjeet ja koulutus",
    },
    "notice_headings": {
        "controller": "Rekisterinpitäjä",
        "contact": "Yhteystiedot",
        "purposes": "Henkilötietojen käsittelyn tarkoitukset ja oikeusperusteet",
        "categories": "Rekisteröidyt ja henkilötietoryhmät",
        "recipients": "Tietojen vastaanottajat",
        "transfers": "Tietojen siirrot EU:n tai ETA:n ulkopuolelle",
        "retention": "Tietojen säilytysaika",
        "rights": "Rekisteröidyn oikeudet ja niiden käyttäminen",
        "complaint": "Oikeus tehdä valitus valvontaviranomaiselle",
        "sources": "Mistä tiedot saadaan",
        "automated": "Automaattinen päätöksenteko",
    },
    "record_headings": {
        "controller": "Rekisterinpitäjän nimi ja yhteystiedot",
        "purposes": "Käsittelyn tarkoitukset ja oikeusperusteet",
        "subjects": "Rekisteröityjen ryhmät",
        "categories": "Henkilötietoryhmät rekisterin osittain",
        "recipients": "Vastaanottajien ryhmät",
        "transfers": "Siirrot kolmansiin maihin",
        "retention": "Tietoryhmien poistamisen määräajat",
        "security": "Tekniset ja organisatoriset turvatoimet",
    },
    "consists_of": "Rekisteri koostuu seuraavista osista:",
    "postal_address": "Postiosoite: {address}",
    "contact": "Yhteystiedot: {contact}",
    "person": "{title} {name}",
    "responsible_is": "Rekisterin vastuuhenkilö on {person}.",
    "responsible_duties": "Vastuuhenkilön tehtävänä on huolehtia siitä, että rekisteriä "
                          "käytetään asianmukaisesti, muun muassa:",
    "handlers_are": "Rekisteriasioita hoitavat henkilöt rekisterin osittain:",
    "handler_of": "{section}: {person}",
    "basis": "Käsittelyn oikeusperuste: {basis} (tietosuoja-asetuksen 6 artiklan 1 kohdan "
             "{point} alakohta).",
    "content_intro": "Tietosisältö koostuu rekisterin osittain seuraavista tietoryhmistä:",
    "section_has": "{section}:",
    "not_every_section": "Rekisteri jakautuu useampaan osaan, eikä kaikissa osissa ole "
                         "kaikkia tietoryhmiä.",
    "sources_intro": "Tiedot saadaan säännönmukaisesti seuraavista lähteistä:",
    "recipients_intro": "Henkilötietoja luovutetaan säännönmukaisesti vain seuraaville "
                        "vastaanottajille:",
    "no_recipients": "Henkilötietoja ei luovuteta säännönmukaisesti.",
    "statistics_only": "Toimintakertomuksia, tutkimusta ja muita vastaavia tarkoituksia "
                       "varten rekisteristä luovutetaan vain tilastotietoja, jotka eivät "
                       "sisällä henkilötietoja.",
    "roles_intro": "Rekisterin käyttäjillä on jokin seuraavista rooleista:",
    "role": "{role}: {duties}",
    "retention_intro": "Asiakkaan tiedot poistetaan, kun niitä ei ole käytetty rekisterin "
                       "osan säilytysaikana:",
    "retention_months": "{section}: {months} kuukautta",
    "retention_years": "{section}: {months} kuukautta ({years} vuotta)",
    "records_intro": "Rekisterin omat tiedot, kuten tarkastus- ja korjauspyyntöjen tekijöiden "
                     "tiedot ja tapahtumaloki, poistetaan näiden määräaikojen jälkeen:",
    "record_rule": "{kind}: {months} kuukautta",
    "record_rule_one": "{kind}: {months} kuukausi",
    "accounting": "Laskutus- ja perintätiedot säilytetään kirjanpitolain (1336/1997) 2 luvun "
                  "10 §:n mukaisesti {years} vuotta tilikauden päättymisestä; sen jälkeen ne "
                  "poistetaan tai niistä poistetaan henkilötiedot.",
    "access": "Rekisteröity voi esittää henkilökohtaisesti tai kirjallisesti pyynnön "
              "tarkastaa rekisteritietonsa rekisteriasioita hoitavalle henkilölle. "
              "Tarkastusoikeuden toteuttamisesta päättää rekisterin vastuuhenkilö {person}. "
              "Tarkastusoikeus toteutetaan viikon kuluessa pyynnön esittämisestä. Paikan "
              "päällä esitetty suullinen pyyntö voidaan toteuttaa heti, jos henkilö voidaan "
              "tunnistaa ja paikalla on rekisterin käyttäjätunnukset omaava henkilö.",
    "rectification": "Henkilötietojen virheettömyys tarkistetaan tarvittaessa "
                     "väestötietojärjestelmästä ja yritysten tiedot kaupparekisteristä. "
                     "Asianomainen henkilö tai yritys voi esittää kirjallisesti tiedon "
                     "korjaamista milloin tahansa rekisteriasioita hoitavalle henkilölle tai "
                     "rekisterin vastuuhenkilölle ({person}).",
    "prohibition": "Rekisteristä ei luovuteta tietoja suoramarkkinointiin eikä markkina- tai "
                   "mielipidetutkimukseen ilman rekisteröidyn lupaa. Rekisteröity voi kieltää "
                   "tietojensa käytön näihin tarkoituksiin ilmoittamalla siitä "
                   "rekisteriasioita hoitavalle henkilölle.",
    "decision_maker": "Rekisterinpitäjänä rekisteriä koskevaa päätösvaltaa käyttää {person}.",
    "decides_on": "Hän päättää:",
    "notice_intro": "Tässä tietosuojaselosteessa kerrotaan EU:n yleisen tietosuoja-asetuksen "
                    "(2016/679) 13 ja 14 artiklan mukaisesti, miten rekisterissä käsitellään "
                    "henkilötietoja ja miten voit käyttää oikeuksiasi.",
    "register_name": "Rekisterin nimi: {register}",
    "decision_maker_is": "Rekisterinpitäjän päätösvaltaa käyttää {person}.",
    "contact_intro": "Rekisteriasioita hoitavat ja antavat lisätietoja rekisteristä:",
    "responsible_contact": "Rekisterin vastuuhenkilö: {person}",
    "subjects_intro": "Rekisteröidyt ovat elinkeinopalvelun asiakkaita ja "
                      "yhteistyökumppaneita:",
    "contact_persons": "Yritys- ja yhteisöasiakkaiden yhteyshenkilöt",
    "categories_intro": "Rekisterin osissa käsitellään seuraavia henkilötietoryhmiä:",
    "rights_how": "Esitä pyyntö henkilökohtaisesti tai kirjallisesti rekisteriasioita "
                  "hoitavalle henkilölle tai kirjeitse osoitteeseen {address}. "
                  "Henkilöllisyytesi tarkistetaan ennen pyynnön toteuttamista.",
    "rights": [
        "Tarkastusoikeus: voit tarkastaa, mitä tietoja sinusta on rekisteriin tallennettu. "
        "Pyyntö toteutetaan viikon kuluessa sen esittämisestä.",
        "Oikeus tiedon korjaamiseen: voit vaatia virheellisen, puutteellisen tai "
        "vanhentuneen tiedon korjaamista milloin tahansa.",
        "Oikeus tietojen poistamiseen: voit pyytää tietojesi poistamista, kun niitä ei enää "
        "tarvita. Lain mukaan säilytettäviä tietoja, kuten kirjanpitolain mukaisia "
        "laskutustietoja, ei voida poistaa ennen säilytysajan päättymistä.",
        "Oikeus käsittelyn rajoittamiseen: voit pyytää tietojesi käsittelyn rajoittamista "
        "tietosuoja-asetuksen 18 artiklassa säädetyin edellytyksin.",
        "Vastustamisoikeus: voit vastustaa tietojesi käsittelyä tietosuoja-asetuksen 21 "
        "artiklassa säädetyin edellytyksin.",
        "Oikeus kieltää suoramarkkinointi: voit kieltää tietojesi käytön "
        "suoramarkkinointiin sekä markkina- ja mielipidetutkimukseen, ja voit perua kiellon "
        "myöhemmin.",
    ],
    "complaint": "Jos katsot, että henkilötietojesi käsittelyssä rikotaan "
                 "tietosuojasäännöksiä, voit tehdä valituksen valvontaviranomaiselle:",
    "complaint_court": "Sinulla on myös oikeus saattaa asia tuomioistuimen käsiteltäväksi.",
    "automated": "Tietojen perusteella ei tehdä automaattisia päätöksiä eikä profilointia, "
                 "joilla olisi rekisteröityyn kohdistuvia oikeusvaikutuksia.",
    "record_contact": "Rekisterinpitäjän edustaja: {person}",
    "changes_title": "Muutokset edelliseen versioon {number}",
    "no_changes": "Ei muutoksia edelliseen versioon {number}.",
    "first_version": "Tämä on ensimmäinen julkaistu versio.",
    "removed": "Poistettu",
    "added": "Lisätty",
    "notice_in_force": "Otteen laatimishetkellä voimassa ollut tietosuojaseloste: versio "
                       "{number}, julkaistu {date}.",
}

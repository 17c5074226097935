"""The register description, privacy notice and record of processing in Swedish: their
headings and the sentences that join the settings' facts. Every fact comes from the
publication; a {placeholder} is filled by the builders."""

TEXTS = {
    "description_title": "Registerbeskrivning",
    "notice_title": "Dataskyddsbeskrivning",
    "record_title": "Register över behandling",
    "record_subtitle": "EU:s allmänna dataskyddsförordning (2016/679), artikel 30.1",
    "file_description": "registerbeskrivning",
    "file_notice": "dataskyddsbeskrivning",
    "file_record": "register-over-behandling",
    "version": "Version {number}, publicerad {date}",
    "page": "Sida %(page)s/%(pages)s",
    "description_headings": {
        "name": "1 Registrets namn",
        "controller": "2 Personuppgiftsansvarig",
        "responsible": "3 Registrets ansvarsperson",
        "handlers": "4 Person som sköter registerärenden",
        "purposes": "5 Registrets ändamål",
        "content": "6 Registrets datainnehåll",
        "sources": "7 Regelbundna uppgiftskällor",
        "disclosures": "8 Regelbundet utlämnande av personuppgifter",
        "internal_use": "9 Intern användning av registret",
        "combining": "10 Samkörning med andra personregister",
        "security": "11 Skyddet av registret",
        "retention": "12 Förvaring, arkivering och förstöring av personregistret och "
                     "registeruppgifterna",
        "informing": "13 Information till den registrerade",
        "access": "14 Rätt till tillgång",
        "rectification": "15 Rättelse av uppgifter",
        "prohibition": "16 Rätt att förbjuda",
        "administration": "17 Registerförvaltning",
        "instructions": "18 Interna anvisningar och utbildning för registerverksamheten",
    },
    "notice_headings": {
        "controller": "Personuppgiftsansvarig",
        "contact": "Kontaktuppgifter",
        "purposes": "Ändamålen med behandlingen och den rättsliga grunden",
        "categories": "Registrerade och kategorier av personuppgifter",
        "recipients": "Mottagare av uppgifterna",
        "transfers": "Överföring av uppgifter utanför EU eller EES",
        "retention": "Hur länge uppgifterna bevaras",
        "rights": "Den registrerades rättigheter och hur de utövas",
        "complaint": "Rätt att lämna klagomål till tillsynsmyndigheten",
        "sources": "Varifrån uppgifterna fås",
        "automated": "Automatiserat beslutsfattande",
    },
    "record_headings": {
        "controller": "Den personuppgiftsansvariges namn och kontaktuppgifter",
        "purposes": "Ändamålen med behandlingen och den rättsliga grunden",
        "subjects": "Kategorier av registrerade",
        "categories": "Kategorier av personuppgifter enligt registrets delar",
        "recipients": "Kategorier av mottagare",
        "transfers": "Överföringar till tredjeländer",
        "retention": "Tidsfrister för radering av de olika kategorierna av uppgifter",
        "security": "Tekniska och organisatoriska säkerhetsåtgärder",
    },
    "consists_of": "Registret består av följande delar:",
    "postal_address": "Postadress: {address}",
    "contact": "Kontaktuppgifter: {contact}",
    "person": "{title} {name}",
    "responsible_is": "Registrets ansvarsperson är {person}.",
    "responsible_duties": "Ansvarspersonen ska sörja för att registret används på ett "
                          "korrekt sätt, bland annat:",
    "handlers_are": "Registerärendena sköts i registrets delar av:",
    "handler_of": "{section}: {person}",
    "basis": "Rättslig grund för behandlingen: {basis} (artikel 6.1 {point} i "
             "dataskyddsförordningen).",
    "content_intro": "Datainnehållet består av följande kategorier av uppgifter i "
                     "registrets delar:",
    "section_has": "{section}:",
    "not_every_section": "Registret är indelat i flera delar, och alla delar innehåller "
                         "inte alla kategorier av uppgifter.",
    "sources_intro": "Uppgifterna fås regelbundet från följande källor:",
    "recipients_intro": "Personuppgifter lämnas regelbundet ut endast till följande "
                        "mottagare:",
    "no_recipients": "Personuppgifter lämnas inte ut regelbundet.",
    "statistics_only": "För verksamhetsberättelser, forskning och andra motsvarande ändamål "
                       "lämnas endast statistiska uppgifter ut ur registret, och de "
                       "innehåller inga personuppgifter.",
    "roles_intro": "Registrets användare har någon av följande roller:",
    "role": "{role}: {duties}",
    "retention_intro": "En kunds uppgifter raderas när de inte har använts under "
                       "bevaringstiden för registrets del:",
    "retention_months": "{section}: {months} månader",
    "retention_years": "{section}: {months} månader ({years} år)",
    "records_intro": "Registrets egna uppgifter, såsom uppgifterna om dem som begärt tillgång "
                     "eller rättelse och händelseloggen, raderas efter följande tider:",
    "record_rule": "{kind}: {months} månader",
    "record_rule_one": "{kind}: {months} månad",
    "accounting": "Fakturerings- och indrivningsuppgifter bevaras enligt 2 kap. 10 § i "
                  "bokföringslagen (1336/1997) i {years} år från utgången av "
                  "räkenskapsperioden; därefter raderas de eller avlägsnas "
                  "personuppgifterna ur dem.",
    "access": "Den registrerade kan personligen eller skriftligen begära att få granska sina "
              "registeruppgifter hos den person som sköter registerärendena. Registrets "
              "ansvarsperson {person} beslutar om verkställandet av rätten till tillgång. "
              "Rätten till tillgång verkställs inom en vecka från att begäran framställts. "
              "En muntlig begäran som framförs på plats kan verkställas genast, om personen "
              "kan identifieras och en person med användarkoder till registret är i tjänst.",
    "rectification": "Personuppgifternas riktighet kontrolleras vid behov i "
                     "befolkningsdatasystemet och företagens uppgifter i handelsregistret. "
                     "Den berörda personen eller det berörda företaget kan när som helst "
                     "skriftligen begära rättelse av en uppgift hos den person som sköter "
                     "registerärendena eller hos registrets ansvarsperson {person}.",
    "prohibition": "Uppgifter ur registret lämnas inte ut för direktmarknadsföring eller för "
                   "marknads- eller opinionsundersökningar utan den registrerades samtycke. "
                   "Den registrerade kan förbjuda att uppgifterna används för dessa ändamål "
                   "genom att meddela den person som sköter registerärendena.",
    "decision_maker": "Beslutanderätten i frågor som gäller registret utövas av {person} som "
                      "personuppgiftsansvarig.",
    "decides_on": "Hen beslutar om:",
    "notice_intro": "I denna dataskyddsbeskrivning berättar vi enligt artiklarna 13 och 14 i "
                    "EU:s allmänna dataskyddsförordning (2016/679) hur personuppgifter "
                    "behandlas i registret och hur du kan utöva dina rättigheter.",
    "register_name": "Registrets namn: {register}",
    "decision_maker_is": "Den personuppgiftsansvariges beslutanderätt utövas av {person}.",
    "contact_intro": "Registerärendena sköts av följande personer, som också ger närmare "
                     "uppgifter om registret:",
    "responsible_contact": "Registrets ansvarsperson: {person}",
    "subjects_intro": "De registrerade är näringslivsservicens kunder och "
                      "samarbetspartner:",
    "contact_persons": "Kontaktpersoner för företag och sammanslutningar",
    "categories_intro": "I registrets delar behandlas följande kategorier av "
                        "personuppgifter:",
    "rights_how": "Framför din begäran personligen eller skriftligen till den person som "
                  "sköter registerärendena eller per brev till adressen {address}. Din "
                  "identitet kontrolleras innan begäran verkställs.",
    "rights": [
        "Rätt till tillgång: du kan kontrollera vilka uppgifter om dig som har registrerats. "
        "Begäran verkställs inom en vecka från att den framställts.",
        "Rätt till rättelse: du kan när som helst kräva att en felaktig, ofullständig eller "
        "föråldrad uppgift rättas.",
        "Rätt till radering: du kan begära att dina uppgifter raderas när de inte längre "
        "behövs. Uppgifter som enligt lag ska bevaras, såsom faktureringsuppgifter enligt "
        "bokföringslagen, kan inte raderas innan bevaringstiden har gått ut.",
        "Rätt till begränsning av behandling: du kan begära att behandlingen av dina "
        "uppgifter begränsas på de villkor som anges i artikel 18 i dataskyddsförordningen.",
        "Rätt att göra invändningar: du kan invända mot behandlingen av dina uppgifter på de "
        "villkor som anges i artikel 21 i dataskyddsförordningen.",
        "Rätt att förbjuda direktmarknadsföring: du kan förbjuda att dina uppgifter används "
        "för direktmarknadsföring och för marknads- och opinionsundersökningar, och du kan "
        "senare återkalla förbudet.",
    ],
    "complaint": "Om du anser att behandlingen av dina personuppgifter strider mot "
                 "dataskyddsbestämmelserna kan du lämna ett klagomål till "
                 "tillsynsmyndigheten:",
    "complaint_court": "Du har också rätt att föra ärendet till domstol.",
    "automated": "Uppgifterna används inte för automatiserade beslut eller för profilering "
                 "som har rättsverkan för den registrerade.",
    "record_contact": "Den personuppgiftsansvariges företrädare: {person}",
    "changes_title": "Ändringar jämfört med föregående version {number}",
    "no_changes": "Inga ändringar jämfört med föregående version {number}.",
    "first_version": "Detta är den första publicerade versionen.",
    "removed": "Borttaget",
    "added": "Tillagt",
    "notice_in_force": "Dataskyddsbeskrivningen som gällde när utdraget upprättades: version "
                       "{number}, publicerad {date}.",
}

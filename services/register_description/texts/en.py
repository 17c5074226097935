"""The register description, privacy notice and record of processing in English: their
headings and the sentences that join the settings' facts. Every fact comes from the
publication; a {placeholder} is filled by the builders."""

TEXTS = {
    "description_title": "Register description",
    "notice_title": "Privacy notice",
    "record_title": "Record of processing activities",
    "record_subtitle": "EU General Data Protection Regulation (2016/679), Article 30(1)",
    "file_description": "register-description",
    "file_notice": "privacy-notice",
    "file_record": "record-of-processing",
    "version": "Version {number}, published on {date}",
    "page": "Page %(page)s of %(pages)s",
    "description_headings": {
        "name": "1 Name of the register",
        "controller": "2 Controller",
        "responsible": "3 Person responsible for the register",
        "handlers": "4 Persons handling register matters",
        "purposes": "5 Purposes of the register",
        "content": "6 Data content of the register",
        "sources": "7 Regular sources of data",
        "disclosures": "8 Regular disclosures of personal data",
        "internal_use": "9 Internal use of the register",
        "combining": "10 Combining with other personal data registers",
        "security": "11 Protection of the register",
        "retention": "12 Keeping, archiving and destruction of the register and its data",
        "informing": "13 Informing the data subjects",
        "access": "14 Right of access",
        "rectification": "15 Rectification of data",
        "prohibition": "16 Right to prohibit",
        "administration": "17 Administration of the register",
        "instructions": "18 Internal instructions and training",
    },
    "notice_headings": {
        "controller": "Controller",
        "contact": "Contact details",
        "purposes": "Purposes of the processing and their lawful bases",
        "categories": "Data subjects and categories of personal data",
        "recipients": "Recipients of the data",
        "transfers": "Transfers outside the EU or the EEA",
        "retention": "How long the data is kept",
        "rights": "Your rights and how to use them",
        "complaint": "Right to lodge a complaint with the supervisory authority",
        "sources": "Where the data comes from",
        "automated": "Automated decision-making",
    },
    "record_headings": {
        "controller": "Name and contact details of the controller",
        "purposes": "Purposes of the processing and their lawful bases",
        "subjects": "Categories of data subjects",
        "categories": "Categories of personal data by part of the register",
        "recipients": "Categories of recipients",
        "transfers": "Transfers to third countries",
        "retention": "Time limits for erasure of the categories of data",
        "security": "Technical and organisational security measures",
    },
    "consists_of": "The register consists of the following parts:",
    "postal_address": "Postal address: {address}",
    "contact": "Contact: {contact}",
    "person": "{title} {name}",
    "responsible_is": "The person responsible for the register is {person}.",
    "responsible_duties": "The responsible person sees that the register is used properly, "
                          "among other things:",
    "handlers_are": "Register matters are handled in the parts of the register by:",
    "handler_of": "{section}: {person}",
    "basis": "Lawful basis of the processing: {basis} (Article 6(1)({point}) of the "
             "Regulation).",
    "content_intro": "The data content consists of the following categories of data in the "
                     "parts of the register:",
    "section_has": "{section}:",
    "not_every_section": "The register is divided into several parts, and not every part "
                         "holds every category of data.",
    "sources_intro": "The data is obtained regularly from the following sources:",
    "recipients_intro": "Personal data is disclosed regularly only to the following "
                        "recipients:",
    "no_recipients": "Personal data is not disclosed regularly.",
    "statistics_only": "For annual reports, research and similar purposes, only statistics "
                       "that contain no personal data are disclosed from the register.",
    "roles_intro": "The users of the register each have one of the following roles:",
    "role": "{role}: {duties}",
    "retention_intro": "A customer's data is deleted when it has not been used within the "
                       "keeping period of the part of the register:",
    "retention_months": "{section}: {months} months",
    "retention_years": "{section}: {months} months ({years} years)",
    "records_intro": "The register's own records, such as the details of those who asked for "
                     "access or rectification and the audit log, are deleted after these "
                     "periods:",
    "record_rule": "{kind}: {months} months",
    "record_rule_one": "{kind}: {months} month",
    "accounting": "Billing and collection data is kept for {years} years from the end of the "
                  "financial year, as chapter 2, section 10 of the Accounting Act "
                  "(1336/1997) requires; after that it is deleted or the personal data is "
                  "removed from it.",
    "access": "Data subjects may ask, in person or in writing, to check their data from the "
              "person handling register matters. The person responsible for the register, "
              "{person}, decides on carrying out the right of access. The right of access is "
              "carried out within one week of the request. An oral request made on site can "
              "be served at once if the person can be identified and someone with access to "
              "the register is at work.",
    "rectification": "The accuracy of personal data is checked when needed against the "
                     "population information system, and company data against the trade "
                     "register. The person or company concerned may ask in writing for data "
                     "to be corrected at any time, from the person handling register matters "
                     "or from the person responsible for the register, {person}.",
    "prohibition": "No data is disclosed from the register for direct marketing or for "
                   "market or opinion research without the data subject's consent. Data "
                   "subjects may prohibit the use of their data for these purposes by "
                   "telling the person handling register matters.",
    "decision_maker": "{person} exercises the controller's decision-making power over the "
                      "register.",
    "decides_on": "They decide on:",
    "notice_intro": "This privacy notice tells, as Articles 13 and 14 of the EU General Data "
                    "Protection Regulation (2016/679) require, how personal data is processed "
                    "in the register and how you can use your rights.",
    "register_name": "Name of the register: {register}",
    "decision_maker_is": "The controller's decision-making power is exercised by {person}.",
    "contact_intro": "Register matters are handled, and more information about the register "
                     "is given, by:",
    "responsible_contact": "Person responsible for the register: {person}",
    "subjects_intro": "The data subjects are the customers and partners of the Economic "
                      "Development services:",
    "contact_persons": "Contact persons of company and organisation customers",
    "categories_intro": "The parts of the register process the following categories of "
                        "personal data:",
    "rights_how": "Make your request in person or in writing to the person handling register "
                  "matters, or by letter to {address}. Your identity is checked before the "
                  "request is carried out.",
    "rights": [
        "Right of access: you may check what data about you is recorded in the register. "
        "The request is carried out within one week of being made.",
        "Right to rectification: you may require incorrect, incomplete or outdated data to "
        "be corrected at any time.",
        "Right to erasure: you may ask for your data to be erased when it is no longer "
        "needed. Data that must be kept by law, such as billing data under the Accounting "
        "Act, cannot be erased before its keeping period ends.",
        "Right to restriction of processing: you may ask for the processing of your data to "
        "be restricted on the grounds set out in Article 18 of the Regulation.",
        "Right to object: you may object to the processing of your data on the grounds set "
        "out in Article 21 of the Regulation.",
        "Right to prohibit direct marketing: you may prohibit the use of your data for "
        "direct marketing and for market and opinion research, and withdraw the "
        "prohibition later.",
    ],
    "complaint": "If you consider that the processing of your personal data breaks data "
                 "protection law, you may lodge a complaint with the supervisory authority:",
    "complaint_court": "You also have the right to take the matter to court.",
    "automated": "No automated decisions or profiling with legal effects on the data subject "
                 "are made on the basis of the data.",
    "record_contact": "Representative of the controller: {person}",
    "changes_title": "Changes since the previous version {number}",
    "no_changes": "No changes since the previous version {number}.",
    "first_version": "This is the first published version.",
    "removed": "Removed",
    "added": "Added",
    "notice_in_force": "The privacy notice in force when this extract was made: version "
                       "{number}, published on {date}.",
}

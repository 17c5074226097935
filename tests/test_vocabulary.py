"""The register's vocabulary (services/vocabulary/): every stored code has a name, every name
has its Finnish, Swedish and English text, and no table of names is written anywhere else.
"""

import ast
import pathlib

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import escape

import models
from services import (
    disclosures,
    duplicates,
    duties,
    rectification,
    register_settings,
    requests,
    statistics,
    vocabulary,
    worklist,
)
from services import customers as customer_rules
from services.vocabulary import (
    Label,
    administration,
    customers,
    imports,
    msgid_of,
    notifications,
    report,
    rights,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
VOCABULARY = ROOT / "services" / "vocabulary"
MODULES = (customers, rights, report, administration, notifications)

# Each code tuple of models and the tables that name its codes: a new tuple fails
# test_every_code_tuple_of_the_models_is_named until it is named here.
NAMED_CODES = {
    "ROLES": [administration.ROLE_LABELS, administration.ROLE_DUTIES],
    "CUSTOMER_KINDS": [customers.CUSTOMER_KIND_LABELS, customers.CUSTOMER_KIND_PLURAL_LABELS],
    "LANGUAGES": [customers.CUSTOMER_LANGUAGE_LABELS],
    "INFORMED_HOW": [customers.INFORMED_HOW_LABELS],
    "DATA_SOURCES": [customers.DATA_SOURCE_LABELS, report.REPORT_CODE_LABELS["data_source"]],
    "ADDRESS_KINDS": [customers.ADDRESS_KIND_LABELS],
    "DIRECTIONS": [customers.DIRECTION_LABELS],
    "CHANNELS": [customers.CHANNEL_LABELS],
    "COLLECTION_STATES": [customers.COLLECTION_STATE_LABELS],
    "CATEGORIES": [customers.CATEGORY_LABELS],
    "SECTION_CHANGE_ACTIONS": [administration.SECTION_CHANGE_LABELS],
    "REQUEST_CHANNELS": [rights.REQUEST_CHANNEL_LABELS],
    "IDENTITY_METHODS": [rights.IDENTITY_METHOD_LABELS],
    "DECISIONS": [rights.DECISION_LABELS, rights.RECTIFICATION_DECISION_LABELS],
    "DELIVERY_METHODS": [rights.DELIVERY_METHOD_LABELS],
    "VERIFICATION_SOURCES": [rights.VERIFICATION_SOURCE_LABELS],
    "PROHIBITION_PURPOSES": [rights.PROHIBITION_PURPOSE_LABELS],
    "PROHIBITION_ACTIONS": [rights.PROHIBITION_ACTION_LABELS],
    "PROHIBITION_SOURCES": [rights.PROHIBITION_SOURCE_LABELS,
                            report.REPORT_CODE_LABELS["source"]],
    "CONSENT_CHANNELS": [rights.CONSENT_CHANNEL_LABELS, rights.CONSENT_WORDINGS["2026-1"]],
    "CONSENT_METHODS": [rights.CONSENT_METHOD_LABELS],
    "ACCESS_REQUEST_STATES": [administration.ACCESS_REQUEST_STATE_LABELS],
    "ACCESS_REQUEST_KINDS": [administration.ACCESS_REQUEST_KIND_LABELS],
    "REVIEW_OUTCOMES": [administration.REVIEW_OUTCOME_LABELS],
    "PURGE_KINDS": [rights.PURGE_KIND_LABELS],
    "PURGE_STATES": [rights.PURGE_STATE_LABELS],
    "IMPORT_KINDS": [imports.IMPORT_KIND_LABELS],
    "IMPORT_STATES": [imports.IMPORT_STATE_LABELS],
    "DUPLICATE_CHOICES": [imports.DUPLICATE_CHOICE_LABELS],
    "DISCLOSURE_STATES": [rights.DISCLOSURE_STATE_LABELS],
    "RECORD_KINDS": [rights.RECORD_KIND_LABELS, rights.RECORD_KIND_RULES],
    "OUTBOX_STATES": [notifications.OUTBOX_STATE_LABELS],
    "NOTIFICATION_KINDS": [notifications.NOTIFICATION_KIND_LABELS,
                           notifications.NOTIFICATION_SUBJECTS,
                           notifications.NOTIFICATION_BODIES],
}
# Codes no page names by a label: what they mean is said in a sentence of its own.
UNNAMED_CODES = {
    "ACCOUNT_CHANGE_KINDS",  # shown as the account's state (ACCOUNT_STATE_LABELS)
    "ORIGINS",  # "on the server's command line", or the user who did it
    "PURGE_ACTIONS",  # the erasure page says what happens to the customer
    "ACCOUNTING_RECORD_FIELDS",  # field names (named by FIELD_LABELS), not codes
}

# Codes the services define, and the tables naming them.
SERVICE_CODES = [
    (requests.STATES, rights.INSPECTION_STATE_LABELS),
    (requests.REPORT_LANGUAGES, rights.REPORT_LANGUAGE_LABELS),
    (rectification.STATES, rights.RECTIFICATION_STATE_LABELS),
    (disclosures.EXPORT_FORMATS, rights.EXPORT_FORMAT_LABELS),
    (statistics.STATISTICS, customers.STATISTIC_TITLES),
    (statistics.STATISTICS, customers.STATISTIC_ROW_LABELS),
    (statistics.INVOICE_COLUMNS, customers.INVOICE_COLUMN_LABELS),
    (("customers",) + models.CATEGORIES, rights.PURGE_COUNT_LABELS),
    (register_settings.LAWFUL_BASES, administration.LAWFUL_BASIS_LABELS),
    (duplicates.DUPLICATE_REASONS, customers.DUPLICATE_REASON_LABELS),
    (worklist.TASKS, rights.WORK_TASK_LABELS),
    (customer_rules.INACTIVE_YEARS, customers.INACTIVE_YEARS_LABELS),
    (duties.DUTIES, administration.DUTY_LABELS),
    (("ok", "soon", "overdue", "none"), administration.DUTY_STATE_LABELS),
]

# The same word in the language as in English.
SAME_IN_TRANSLATION = {("sv", "Fax"), ("fi", "XLSX (Excel)"), ("sv", "XLSX (Excel)")}
from tests.sources import source_files


def _code_tuples():
    return {name: value for name, value in vars(models).items()
            if name.isupper() and isinstance(value, tuple) and value
            and all(isinstance(code, str) for code in value)}


def _labels(value, where):
    """Yield (where, label) for every label of a table, nested tables included."""
    if isinstance(value, Label):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _labels(item, f"{where}[{key!r}]")


def _every_label():
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if name.isupper():
                for where, label in _labels(value, f"{module.__name__}.{name}"):
                    found.setdefault(id(label), (where, label))
    return list(found.values())


def test_every_code_tuple_of_the_models_is_named():
    tuples = _code_tuples()
    assert set(NAMED_CODES) | UNNAMED_CODES == set(tuples), (
        "a code tuple of models has no table of names: add one to services/vocabulary/ and "
        "list it in NAMED_CODES")
    for name, tables in NAMED_CODES.items():
        for table in tables:
            assert set(table) == set(tuples[name]), name  # in the order the pages list them


@pytest.mark.parametrize("codes, table", SERVICE_CODES)
def test_every_code_of_the_services_is_named(codes, table):
    assert set(codes) <= set(table)


def test_every_audit_action_of_the_log_is_named():
    from services import audit

    assert set(audit.ACTIONS) <= set(administration.AUDIT_ACTION_LABELS)


def _catalog(language):
    catalog = Translations.load(str(TRANSLATIONS), [language], domain="messages")
    if language != "en":
        assert isinstance(catalog, Translations), "no compiled catalog: run `make translations`"
    return catalog


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_name_is_translated(language):
    catalog = _catalog(language)
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        extracted = {message.id for message in read_po(po) if message.id}
    labels = _every_label()
    assert len(labels) > 300
    for where, label in labels:
        assert label.msgid in extracted, f"{where}: {label.msgid!r} is not in the catalogs"
        text = catalog.gettext(label.msgid)
        assert text.strip(), where
        if language == "en":
            assert text == label.msgid, where
        elif (language, label.msgid) not in SAME_IN_TRANSLATION:
            assert text != label.msgid, f"{where}: {label.msgid!r} has no {language} text"


def test_no_two_tables_of_the_vocabulary_are_copies():
    tables = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, dict):
                tables.setdefault(id(value), (f"{module.__name__}.{name}", value))
    seen = {}
    for where, table in tables.values():
        words = tuple((key, msgid_of(label)) for key, label in table.items()
                      if isinstance(label, Label))
        if len(words) > 1:
            assert words not in seen, f"{where} copies {seen.get(words)}: name it once"
            seen[words] = where


# --- no table of names outside the vocabulary ------------------------------------------------

SOURCES = [path for path in source_files() if VOCABULARY not in path.parents]
TRANSLATE = {"_", "_l", "N_", "gettext", "lazy_gettext"}
# Dicts of translated strings that are not names of codes.
NOT_NAMES = {
    "column_labels",  # one view's column headings (Flask-Admin's option)
    "HOLD_REASONS",  # sentences with parameters, as messages are (services/retention/)
}


def _is_translated_literal(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in TRANSLATE and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


def _tables_of_names(path):
    """Yield (line, name) for each table of names a source file defines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets]
        if any(name.endswith("_LABELS") for name in names):
            yield node.lineno, names[0]
        elif isinstance(node.value, ast.Dict) and not set(names) & NOT_NAMES:
            literals = [value for key, value in zip(node.value.keys, node.value.values)
                        if key is not None and _is_translated_literal(value)]
            if len(literals) >= 2:
                yield node.lineno, names[0]


def test_no_table_of_names_outside_the_vocabulary():
    found = [f"{path.relative_to(ROOT)}:{line} {name}"
             for path in SOURCES for line, name in _tables_of_names(path)]
    assert not found, ("tables of names belong in services/vocabulary/ (import them from "
                       "there): " + ", ".join(found))


def test_the_source_scan_finds_a_table_of_names(tmp_path):
    source = tmp_path / "view.py"
    source.write_text('STATE_LABELS = {}\nclass View:\n    names = {"a": _l("A"), "b": _l("B")}\n'
                      'column_labels = {"a": _l("A"), "b": _l("B")}\n')
    assert [name for _, name in _tables_of_names(source)] == ["STATE_LABELS", "names"]


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_the_vocabulary_imports_only_itself_and_the_models():
    """No Flask, no views, no services: anything may import the vocabulary."""
    for path in VOCABULARY.glob("*.py"):
        for name in _imports(path):
            assert name.startswith(("models.", "services.vocabulary.")), f"{path.name}: {name}"


# --- a label on a page and in a document -------------------------------------------------------


def test_a_label_shows_in_the_translators_language_and_keeps_its_msgid(monkeypatch):
    monkeypatch.setattr(vocabulary, "_translate", vocabulary._translate)  # restored after
    vocabulary.use_translator(None)
    label = customers.CUSTOMER_KIND_LABELS["person"]
    assert str(label) == "Private person"  # no translator: the msgid
    vocabulary.use_translator(_catalog("sv").gettext)
    assert str(label) == f"{label}" == "privatperson"
    assert label == "privatperson" and escape(label) == "privatperson"
    assert "%s." % label == "privatperson." and label.capitalize() == "Privatperson"
    assert msgid_of(label) == "Private person" and msgid_of("person") == "person"
    assert report.ROW_LABELS["Invoice"] % {"number": 2} == "Faktura 2"
    # The inspection report translates into its own language, whatever the page's is.
    assert _catalog("fi").gettext(msgid_of(label)) == "yksityishenkilö"

"""Customer search (services/search.py, migrations/004_search.py) on SQLite and PostgreSQL."""

import importlib.util

import peewee as pw
import pytest

import database
import models
from bench.replay import captured_sql
from models import Customer, db
from services import search as search_module
from services.search import (
    SEARCH_COLUMNS,
    customer_search_condition,
    search_is_capped,
    search_words,
)


def section(code="tourism"):
    return models.Section.get(code=code)


def section_id(code="tourism"):
    """Return the section's id by columns of every schema version (the migration test below
    writes customers with the schema rolled back)."""
    return models.Section.select(models.Section.id).where(models.Section.code == code).scalar()


def person(first_name, last_name, code="tourism", **fields):
    return Customer.create(
        section=section_id(code), kind="person", first_name=first_name, last_name=last_name,
        **fields
    )


def company(name, code="tourism", **fields):
    return Customer.create(section=section_id(code), kind="company", name=name, **fields)


def found(term, query=None):
    """Return the sort names the search finds, in list order."""
    query = query if query is not None else Customer.select()
    return [c.sort_name for c in query.where(customer_search_condition(term)).order_by(Customer.sort_name)]


@pytest.fixture
def customers(db_url):
    """A small register with the names, numbers and emails the tests look for."""
    return {
        "aija": person("Äijä", "ÄIJÄ"),
        "astrom": person("Olof", "Åström"),
        "oberg": person("Eva", "Öberg", email="EVA.OBERG@EXAMPLE.FI"),
        "anna": person(
            "Anna", "Virtanen", email="anna.virtanen@example.fi", phone="+358401234567"
        ),
        "pekka": person("Pekka", "Virtanen", mobile="+358501112233"),
        "korhonen": person("Anna", "Korhonen", phone="+35891234567"),
        "olavi": person("Olavi", "Lehtonen"),
        "viking": company("Viking Line Oy", business_id="0737546-2", email="info@vikingline.example"),
        "kahvila": company("Kahvila Pikku-Ääni Ky", business_id="1572860-0"),
        "percent": company("Alennus 50% Oy"),
        "five_hundred": company("Alennus 500 Oy"),
        "underscore": company("Data_Base Oy"),
        "no_underscore": company("DataXBase Oy"),
    }


# --- Unicode case folding --------------------------------------------------------------


@pytest.mark.parametrize(
    "term, expected",
    [
        ("äijä", ["äijä, äijä"]),
        ("ÄIJÄ", ["äijä, äijä"]),
        ("Åström", ["åström, olof"]),
        ("åström", ["åström, olof"]),
        ("ÅSTRÖM", ["åström, olof"]),
        ("öberg", ["öberg, eva"]),
        ("ÖBERG", ["öberg, eva"]),
        ("pikku-ääni", ["kahvila pikku-ääni ky"]),
    ],
)
def test_search_folds_case_for_finnish_and_swedish_letters(customers, term, expected):
    assert found(term) == expected


# --- What is searched ------------------------------------------------------------------


def test_company_is_found_by_part_of_its_name(customers):
    assert found("king lin") == ["viking line oy"]
    assert found("kahvila") == ["kahvila pikku-ääni ky"]


def test_email_is_found_by_part_of_it(customers):
    assert found("virtanen@exa") == ["virtanen, anna"]
    assert found("vikingline.example") == ["viking line oy"]
    assert found("eva.oberg@example") == ["öberg, eva"]  # stored in upper case


def test_company_is_found_by_y_tunnus(customers):
    assert found("0737546-2") == ["viking line oy"]
    assert found("0737546") == ["viking line oy"]
    assert found("1572860-0") == ["kahvila pikku-ääni ky"]


@pytest.mark.parametrize(
    "term",
    ["040 123 4567", "0401234567", "040-123 4567", "+358401234567", "+358 40 123 4567", "358401234567"],
)
def test_phone_is_found_in_national_and_e164_forms(customers, term):
    assert found(term) == ["virtanen, anna"]


def test_mobile_and_landline_numbers_are_searched(customers):
    assert found("050 111 2233") == ["virtanen, pekka"]
    assert found("09 123 4567") == ["korhonen, anna"]


def test_partial_phone_number_in_national_form_finds_the_stored_e164(customers):
    assert found("040 123") == ["virtanen, anna"]


def test_every_word_of_the_term_must_match(customers):
    assert found("anna virtanen") == ["virtanen, anna"]
    assert found("virtanen anna") == ["virtanen, anna"]
    assert found("  anna   virtanen  ") == ["virtanen, anna"]
    assert found("virtanen") == ["virtanen, anna", "virtanen, pekka"]
    assert found("anna") == ["korhonen, anna", "virtanen, anna"]
    assert found("anna lehtonen") == []


def test_name_word_and_phone_combine(customers):
    assert found("virtanen 040 123 4567") == ["virtanen, anna"]
    assert found("korhonen 040 123 4567") == []


# --- User input is never syntax ---------------------------------------------------------


def test_percent_and_underscore_are_literal(customers):
    assert found("50%") == ["alennus 50% oy"]
    assert found("a_b") == ["data_base oy"]
    assert found("%") == []
    assert found("_") == []
    assert found("%%%") == []
    assert found("___") == []


@pytest.mark.parametrize(
    "term",
    [
        '"',
        '"anna',
        'anna"',
        '""""',
        "OR",
        "anna OR pekka",
        "AND",
        "NOT",
        "anna NOT virtanen",
        "NEAR",
        "NEAR(anna virtanen)",
        "*",
        "ann*",
        "-",
        "-anna",
        "anna -virtanen",
        "^anna",
        "first_name:anna",
        "{first_name last_name}:anna",
        "(anna)",
        "anna + virtanen",
        "'; DROP TABLE customer; --",
        "\\",
        "\\%",
    ],
)
def test_fts_and_like_syntax_neither_errors_nor_matches_everything(customers, term):
    result = found(term)
    assert len(result) < len(customers)
    # The words are taken literally: none of these names holds the operators.
    assert result == []
    assert Customer.select().count() == len(customers)


def test_a_quote_inside_a_name_is_found_literally(db_url):
    company('Kahvila "Kulma" Oy')
    company("Kahvila Kulma Oy")
    assert found('"kulma"') == ['kahvila "kulma" oy']
    assert found("kulma") == ['kahvila "kulma" oy', "kahvila kulma oy"]


def test_empty_term_gives_no_condition(customers):
    assert customer_search_condition("") is None
    assert customer_search_condition("   ") is None
    assert customer_search_condition(None) is None
    assert found("") == sorted(c.sort_name for c in Customer.select())


# --- Short words (no trigram) -------------------------------------------------------------


def test_two_letter_term_finds_sort_names_starting_with_it(customers):
    # "vi" starts "Virtanen, …" and "Viking Line Oy"; Olavi Lehtonen only contains it.
    assert found("vi") == ["viking line oy", "virtanen, anna", "virtanen, pekka"]
    assert found("VI") == ["viking line oy", "virtanen, anna", "virtanen, pekka"]
    assert found("äi") == ["äijä, äijä"]
    assert found("Ås") == ["åström, olof"]


def test_two_digit_term_finds_y_tunnus_prefixes(customers):
    assert found("07") == ["viking line oy"]  # 0737546-2
    assert found("15") == ["kahvila pikku-ääni ky"]
    assert found("5") == []  # no Y-tunnus starts with 5; phone numbers are not prefix-searched


def test_two_letter_term_does_not_search_inside_names_or_emails(customers):
    # Olavi Lehtonen's first name holds "vi", Viking Line's email starts with "in":
    # neither starts the sort name, which is all a lone short word can use an index for.
    assert found("vi") == ["viking line oy", "virtanen, anna", "virtanen, pekka"]
    assert found("in") == []


def test_short_word_next_to_a_long_one_narrows_by_a_word_of_the_name(customers):
    assert found("virtanen a") == ["virtanen, anna"]
    assert found("virtanen p") == ["virtanen, pekka"]
    assert found("anna k") == ["korhonen, anna"]
    assert found("vi an") == ["virtanen, anna"]
    assert found("virtanen x") == []


def test_search_words_are_limited():
    assert len(search_words(" ".join(f"word{i}" for i in range(50)))) == 8


# --- The index follows the data (triggers on SQLite) ----------------------------------------


def test_updated_customer_is_found_by_its_new_name_only(customers):
    pekka = customers["pekka"]
    pekka.last_name = "Mäkelä"
    pekka.save()
    assert found("mäkelä") == ["mäkelä, pekka"]
    assert found("MÄKELÄ pekka") == ["mäkelä, pekka"]
    assert found("virtanen") == ["virtanen, anna"]


def test_bulk_update_and_changed_phone_are_reflected(customers):
    Customer.update(phone="+358449998877").where(Customer.id == customers["anna"].id).execute()
    assert found("044 999 8877") == ["virtanen, anna"]
    assert found("040 123 4567") == []
    Customer.update(version=Customer.version + 1).execute()  # no searched column changes
    assert found("044 999 8877") == ["virtanen, anna"]


def test_deleted_customer_is_no_longer_found(customers):
    customers["pekka"].delete_instance()
    assert found("virtanen") == ["virtanen, anna"]
    Customer.delete().where(Customer.id == customers["viking"].id).execute()
    assert found("0737546-2") == []
    assert found("viking") == []


def test_new_customer_is_found_at_once(customers):
    person("Öllö", "Äkräs")
    assert found("äkräs öllö") == ["äkräs, öllö"]


def test_sqlite_index_stays_consistent_with_the_table(customers, db_kind):
    if db_kind != "sqlite":
        pytest.skip("the FTS5 index exists on SQLite only")
    customers["anna"].last_name = "Mäkelä"
    customers["anna"].save()
    customers["pekka"].delete_instance()
    person("Uusi", "Asiakas")
    # For an external-content table, rank 1 compares the index with the customer rows;
    # a difference raises "database disk image is malformed".
    db.execute_sql("INSERT INTO customer_fts (customer_fts, rank) VALUES ('integrity-check', 1)")
    assert [name for name in found("mäkelä") if name.startswith("mäkelä")]
    assert found("asiakas uusi") == ["asiakas, uusi"]


def test_a_term_matching_more_than_the_cap_lists_only_that_many(customers, db_kind, monkeypatch):
    from services import search

    monkeypatch.setattr(search, "SQLITE_MAX_CANDIDATES", 1)
    monkeypatch.setattr(search, "POSTGRES_MAX_CANDIDATES", 1)
    monkeypatch.setattr(search, "VERY_COMMON_SHARE", 2.0)  # never "very common"
    result = found("virtanen")
    if db_kind == "sqlite":
        assert result == ["virtanen, pekka"]  # the newest match
    else:
        assert len(result) == 1 and result[0] in ("virtanen, anna", "virtanen, pekka")
    assert found("anna virtanen") == ["virtanen, anna"]  # under the cap: exact


def test_very_common_term_shape_finds_the_same_customers(customers, monkeypatch):
    from services import search

    expected = found("virtanen")
    scoped = Customer.select().where(Customer.section == section())
    expected_scoped = found("virtanen", scoped)
    monkeypatch.setattr(search, "VERY_COMMON_SHARE", 0.0)  # PostgreSQL: the plain trigram LIKE
    assert found("virtanen") == expected == ["virtanen, anna", "virtanen, pekka"]
    assert found("virtanen", scoped) == expected_scoped


# --- Combining with other conditions ---------------------------------------------------------


def test_condition_combines_with_a_section_filter(customers):
    person("Anna", "Virtanen", code="business")
    business = section("business")
    tourism = section("tourism")
    assert len(found("anna virtanen")) == 2
    in_business = found("anna virtanen", Customer.select().where(Customer.section == business))
    assert in_business == ["virtanen, anna"]
    assert Customer.select().where(
        customer_search_condition("anna virtanen") & (Customer.section == business)
    ).count() == 1
    scoped = Customer.in_sections([tourism]).where(customer_search_condition("anna virtanen"))
    assert [c.section_id for c in scoped] == [tourism.id]
    assert found("vi", Customer.in_sections([business])) == ["virtanen, anna"]


# --- The indexes are there and used -------------------------------------------------------------


def _migration_module():
    spec = importlib.util.spec_from_file_location(
        "migration_004_search", database.MIGRATIONS_DIR / "004_search.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_service_searches_the_columns_the_migration_indexes():
    assert tuple(_migration_module().COLUMNS) == SEARCH_COLUMNS


def test_search_uses_the_index(customers, db_kind):
    query = Customer.select(Customer.id).where(customer_search_condition("virtanen"))
    sql, params = query.sql()
    if db_kind == "sqlite":
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "VIRTUAL TABLE INDEX" in plan
    else:
        with db.atomic():
            db.execute_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
        assert "customer_search_trgm" in plan


def test_migration_rolls_back_and_reapplies(customers, db_kind):
    while "004_search" in database.status()[0]:
        database.downgrade(1)
    if db_kind == "sqlite":
        assert "customer_fts" not in db.get_tables()
    else:
        assert "customer_search_trgm" not in [i.name for i in db.get_indexes("customer")]
    # Without the index the register still works (no trigger writes to a missing table).
    person("Ilmari", "Hakulinen")
    customers["anna"].delete_instance()
    customers["pekka"].last_name = "Mäkelä"
    customers["pekka"].save()

    database.upgrade()  # builds the index from the rows as they are now
    assert found("hakulinen") == ["hakulinen, ilmari"]
    assert found("virtanen") == []
    assert found("mäkelä") == ["mäkelä, pekka"]
    assert found("äijä") == ["äijä, äijä"]


def test_the_planner_is_asked_once_for_a_search_and_its_cap(customers, db_kind):
    """PostgreSQL: the list's condition and its "matched over the cap" note share one
    request's estimates (one EXPLAIN, one count of customers), and answer as apart."""
    if db_kind == "sqlite":
        pytest.skip("SQLite asks its FTS5 index, not the planner")
    apart = (found("virtanen"), search_is_capped("virtanen"))
    estimates = {}
    with captured_sql() as statements:
        condition = customer_search_condition("virtanen", estimates)
        capped = search_is_capped("virtanen", estimates)
    asked = [sql for sql, _params in statements]
    assert sum(sql.startswith("EXPLAIN") for sql in asked) == 1, asked
    assert sum("reltuples" in sql for sql in asked) == 1, asked
    together = [c.sort_name for c in Customer.select().where(condition)
                .order_by(Customer.sort_name)]
    assert (together, capped) == apart


def _search_expression_of_nodes():
    """The searched columns' lowered concatenation built of peewee's nodes."""
    expression = None
    for column in SEARCH_COLUMNS:
        part = pw.fn.COALESCE(getattr(Customer, column), "")
        expression = part if expression is None else expression.concat(" ").concat(part)
    return pw.fn.LOWER(expression)


def _written(query):
    """The SQL of ``query`` with its constant '' and ' ' values in the text and every
    other value as ``?``: the kept text writes the constants, peewee passes them."""
    sql, params = query.sql()
    mark = db.param
    pieces = sql.split(mark)
    out = pieces[0]
    for value, piece in zip(params, pieces[1:]):
        out += (f"'{value}'" if value in ("", " ") else "?") + piece
    return out, [p for p in params if p not in ("", " ")]


@pytest.mark.parametrize("shape", ["plain", "subquery"])
def test_the_kept_search_text_is_what_peewee_writes(app, db_kind, shape):
    """The searched expression is written once per table alias and kept as text
    (services/search.py ``_SearchText``): it must be the expression peewee writes of its
    nodes, in a statement and in a subquery with its own alias, on both databases."""
    def query(expression):
        matches = Customer.select(Customer.id).where(expression ** "%anna%")
        if shape == "subquery":
            return Customer.select(Customer.sort_name).where(Customer.id.in_(matches))
        return matches

    assert _written(query(search_module._SEARCH_TEXT)) == _written(
        query(_search_expression_of_nodes()))


def test_short_words_are_found_in_either_order(customers):
    """"li wu" found nobody (the first short word had to start the sort name "wu, li")."""
    person("Li", "Wu")
    person("Li", "Wong")
    assert found("li wu") == found("wu li") == ["wu, li"]
    assert found("li") == []  # a short word alone still starts the sort name
    assert found("wu") == ["wu, li"]

"""The bench writes its table of a database, with the machine, into the README between
that database's markers, leaving every other line as it was."""

from bench.report import write_readme_table


def report(database, p95):
    return {
        "database": database, "customers": 1_000_000, "runs": 20,
        "measured_at": "2026-12-06T22:30:00",
        "machine": {"cpus": 2, "cpu": "AMD EPYC 7B13", "memory_gb": 23.5, "python": "3.11.7",
                    "sqlite": "3.40.1", **({"postgresql": "15.18"}
                                           if database == "postgresql" else {})},
        "dataset": {"counts": {"contact_events": 10_221_259, "invoices": 449_476},
                    "size_bytes": 3 * 2**30, "build_seconds": 1445, "reused": True,
                    "rare_term": "Ludmila", "rare_term_matches": 1, "common_term": "Lind",
                    "common_term_matches": 3003, "customer_id": 5},
        "operations": {"list_first_page": {
            "runs": 20, "p50_ms": 11.0, "p95_ms": p95, "raw_sql_p95_ms": 0.3,
            "naive_p95_ms": 70.1, "overhead_p95_ms": p95 - 0.3,
            "goals": [{"goal": "p95 ≤ 25 ms", "met": p95 <= 25}]}},
    }


README = """# Register

Before.

<!-- bench:sqlite -->
an old table
<!-- /bench:sqlite -->

Between.

<!-- bench:postgresql -->
<!-- /bench:postgresql -->

After.
"""


def test_each_databases_table_goes_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(README)
    assert write_readme_table(report("sqlite", 12.9), readme)
    assert write_readme_table(report("postgresql", 31.0), readme)
    assert write_readme_table(report("sqlite", 13.4), readme)  # again: replaced, not added
    text = readme.read_text()
    assert "an old table" not in text and text.count("list_first_page") == 2
    assert "| list_first_page | 11.0 | 13.4 | 0.3 | 70.1 | 13.1 | p95 ≤ 25 ms: met |" in text
    assert "| 11.0 | 31.0 | 0.3 | 70.1 | 30.7 | p95 ≤ 25 ms: **missed** |" in text
    assert ("Measured 2026-12-06 22:30 on AMD EPYC 7B13 (2 cores, 23.5 GB), Python 3.11.7,"
            " SQLite 3.40.1, PostgreSQL 15.18.") in text
    assert text.index("13.4") < text.index("Between.") < text.index("31.0")
    outside = [line for line in text.splitlines() if not line.startswith(("|", "Measured",
                                                                          "sqlite,",
                                                                          "postgresql,",
                                                                          "rare term"))]
    assert [line for line in outside if line] == [line for line in README.splitlines()
                                                  if line and line != "an old table"]


def test_a_readme_without_the_markers_is_left_as_it_was(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Register\n\nNo markers.\n")
    assert not write_readme_table(report("sqlite", 12.9), readme)
    assert readme.read_text() == "# Register\n\nNo markers.\n"

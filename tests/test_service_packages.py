"""The inspection requests and the disclosures are packages split by responsibility: each
part within the size limits, each rule defined in one part only, and the package itself
re-exporting the names the pages, the CLI and the tests use (``services.requests.X``)."""

import ast
import importlib
import pathlib

import pytest

from tests.test_layout import MAX_FILE_LINES, MAX_FUNCTION_LINES

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("requests", "disclosures")


def _parts(package):
    return sorted((ROOT / "services" / package).glob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_replaces_the_module(package):
    assert not (ROOT / "services" / f"{package}.py").exists()
    assert len(_parts(package)) > 2


@pytest.mark.parametrize("package", PACKAGES)
def test_every_part_is_within_the_size_limits(package):
    found = []
    for path in _parts(package):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_FILE_LINES:
            found.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path.name}:{node.lineno} {node.name}(): {length} lines")
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_rule_is_defined_in_one_part_only(package):
    defined = {}
    for path in _parts(package):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.setdefault(node.name, []).append(path.name)
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_parts(package):
    module = importlib.import_module(f"services.{package}")
    missing = []
    for path in _parts(package):
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = ([node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                     else [t.id for t in getattr(node, "targets", ()) if isinstance(t, ast.Name)])
            missing += [f"{path.stem}.{n}" for n in names
                        if not n.startswith("_") and n not in module.__all__]
    assert missing == []
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


def test_the_subject_search_is_one_rule_for_the_page_and_on_site():
    from services.requests import matching, subjects

    assert subjects.find_subjects is matching.find_subjects

"""The register's own source files, for the tests that read the source (a rule written
once, the layers, the vocabulary, the policy): one list, so that a new package is read by
every such test at once."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("admin_views", "cli", "forms", "models", "services")
MODULES = ("app.py", "database.py", "security.py")


def source_files(packages=PACKAGES, modules=MODULES):
    """Return the paths of the register's Python source, sorted: every file of
    ``packages`` and the top-level ``modules`` (not tests, migrations or the bench)."""
    return sorted([path for package in packages for path in (ROOT / package).rglob("*.py")]
                  + [ROOT / name for name in modules])

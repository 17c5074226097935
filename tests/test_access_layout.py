"""The access rules and pages after their split (issue 13): within the size limits, every
name the pages, the command line and the tests read from ``services.access`` still there,
and the helpers the access pages share defined once, in the base."""

import ast
import re

from services import access
from tests.test_layout import ROOT, _modules, _oversized

SPLIT = ("services/access/", "admin_views/access.py", "admin_views/access_requests.py",
         "forms/access.py")

# The helpers admin_views/base/ shares with the access pages.
SHARED_HELPERS = {"flash_refusal", "field_refusal", "section_names", "account_label",
                  "users_by_id"}

# ``access.X`` (cli, tests) and ``rules.X`` (the pages, which import it as rules).
THIS_FILE = __name__.rsplit(".", 1)[-1] + ".py"
_ATTRIBUTE = re.compile(r"\b(?:access|rules)\.([A-Za-z_][A-Za-z0-9_]*)\b")


def test_the_access_modules_stay_within_the_limits():
    offenders = [o for o in _oversized() if o.startswith(SPLIT)]
    assert offenders == []


def test_every_name_read_from_services_access_is_there():
    readers = [ROOT / "admin_views" / "access.py", ROOT / "admin_views" / "access_requests.py",
               ROOT / "forms" / "access.py", *sorted((ROOT / "cli").glob("*.py")),
               *sorted((ROOT / "tests").glob("test_*.py"))]
    missing = set()
    for path in readers:
        text = path.read_text(encoding="utf-8")
        if "from services import access" not in text or path.name == THIS_FILE:
            continue
        missing |= {f"{path.name}: {name}" for name in _ATTRIBUTE.findall(text)
                    if name != "py" and not hasattr(access, name)}
    assert missing == set()


def test_the_access_pages_share_their_helpers_from_the_base():
    copies = []
    for module, (relative, tree) in sorted(_modules().items()):
        if not str(relative).startswith(SPLIT[1:]):
            continue
        copies += [f"{relative}: {node.name}" for node in tree.body
                   if isinstance(node, ast.FunctionDef) and node.name in SHARED_HELPERS]
    assert copies == []

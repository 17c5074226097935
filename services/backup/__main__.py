"""``python -m services.backup inspect``: inspect the database whose URL comes as JSON on
standard input (``services.backup.restoring.inspect_database`` runs it)."""

import sys

from services.backup.restoring import inspect_main

if sys.argv[1:] == ["inspect"]:
    inspect_main()
else:
    sys.exit("usage: python -m services.backup inspect  (the database URL as JSON on stdin)")

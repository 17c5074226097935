"""The register's commands, ``flask --app app <group> …``: one module of this package per
group (db, users, demo-data, audit, requests, retention, backup, postal-codes, import, outbox, duties,
statistics)."""

from cli.audit import audit_cli
from cli.base import checked_texts
from cli.backup import backup_cli
from cli.db import db_cli
from cli.imports import import_cli
from cli.outbox import outbox_cli
from cli.postal_codes import postal_codes_cli
from cli.demo_data import demo_data_command
from cli.duties import duties_cli
from cli.requests import requests_cli
from cli.retention import retention_cli
from cli.statistics import statistics_cli
from cli.users import users_cli


def init_app(app):
    """Register the commands on ``app``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(requests_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(postal_codes_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(statistics_cli)
    app.cli.add_command(duties_cli)
    checked_texts(app.cli)  # the commands above and those added before (totp)

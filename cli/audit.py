"""``flask --app app audit …``: the audit log (906/2019 §17)."""

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit log (906/2019 §17).")


@audit_cli.command("verify")
def audit_verify():
    """Check the audit log's hash chain; exit 1 when it is broken."""
    from services import audit

    ok, broken_id, checked = audit.verify()
    # A status line for people and monitoring alike, untranslated like `db upgrade`'s.
    if ok:
        click.echo(f"audit chain intact: {checked} events")
        return
    click.echo(f"audit chain broken at event #{broken_id}")
    raise SystemExit(1)

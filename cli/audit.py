"""``flask --app app audit …``: the audit log (906/2019 §17)."""

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit log (906/2019 §17).")


@audit_cli.command("verify")
def audit_verify():
    """Check the audit log's hash chain and record the result; exit 1 when it is broken."""
    from flask import current_app

    from models import AuditCheckpoint
    from services import audit

    key = current_app.config["AUDIT_CHECKPOINT_KEY"]
    ok, broken_id, checked = audit.verify(checkpoint_key=key)
    audit.record_verification(ok, broken_id, checked)  # the security overview shows it
    checkpoint = AuditCheckpoint.newest()
    # A status line for people and monitoring alike, untranslated like `db upgrade`'s.
    if ok:
        since = (f" (from checkpoint #{checkpoint.id}: {checkpoint.removed_count} older "
                 f"events removed)" if checkpoint is not None else "")
        click.echo(f"audit chain intact: {checked} events{since}")
        return
    if checkpoint is not None and not audit.checkpoint_intact(checkpoint, key):
        click.echo(f"audit checkpoint #{checkpoint.id} is not signed with the register's key")
    click.echo(f"audit chain broken at event #{broken_id}")
    raise SystemExit(1)

"""``flask --app app users …``: personal accounts, granted and ended through the access
workflow (README "Accounts")."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from cli.base import WholeNumber, fail, setup_lock
from models import User
from services import accounts
from services.errors import RegisterError
from services.localtime import export_datetime

users_cli = AppGroup("users", help="Personal accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="controller, responsible, handler, staff or maintenance")
@click.option("--section", "sections", multiple=True, help="Section code; repeat for several.")
@click.option("--password", help="Initial password; asked (hidden, twice) when not given.")
@click.option("--reason", help="Why the person needs this access; asked when not given.")
@click.option("--email", help="The work email address the account's notifications go to.")
def users_create(username, role, sections, password, reason, email):
    """Grant access: create a personal account; the user changes the password at first login.

    The grant is recorded as an access request made on the server's command line, asked,
    approved and implemented at once, with its audit events.
    """
    from services import access

    if reason is None:
        reason = click.prompt(_("Why does %(username)s need this access?", username=username))
    if password is None:
        password = click.prompt(
            _("Password for %(username)s", username=username),
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        user, _password = access.grant_on_command_line(username, role, sections, reason,
                                                       password=password, email=email)
    except RegisterError as e:
        fail(e)
    click.echo(_("Created %(username)s (%(role)s).", username=user.username, role=user.role))


@users_cli.command("list")
def users_list():
    """List the accounts: username, role, sections, state, last login."""
    for user in User.select().order_by(User.id):
        sections = ",".join(s.code for s in user.sections) or "-"
        state = "active" if user.is_active else "closed"
        last = export_datetime(user.last_login_at) or "-"
        click.echo(
            f"{user.id:>4}  {user.username or '(' + user.pseudonym + ')':<24} "
            f"{user.role:<12} {sections:<18} {state:<7} {last}"
        )


@users_cli.command("deactivate")
@click.argument("username")
@click.option("--reason", help="Why the access ends; asked when not given.")
@click.option("--ended-on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the duties ended (YYYY-MM-DD); today when not given.")
def users_deactivate(username, reason, ended_on):
    """End access (the duties ended): the account closes at once, its username is removed.

    Recorded and audited as an ending of access made on the server's command line.
    """
    from services import access

    username = username.strip().lower()  # as `users create` stores it
    if reason is None:
        reason = click.prompt(_("Why does the access of %(username)s end?", username=username))
    try:
        access.end_access_on_command_line(username, reason,
                                          ended_on.date() if ended_on else None)
    except RegisterError as e:
        fail(e)
    click.echo(_("Ended the access of %(username)s: the account is closed and its username "
                 "removed.", username=username))


@users_cli.command("disable-idle")
@click.option("--days", type=WholeNumber(1, 36_500), default=90, show_default=True,
              help="Disable open accounts not used for this many days.")
def users_disable_idle(days):
    """Disable accounts unused for DAYS days (seed §3; for cron) and print how many."""
    from services import access

    disabled = access.disable_idle(days)
    click.echo(ngettext("Disabled %(num)d account unused for %(days)d days.",
                        "Disabled %(num)d accounts unused for %(days)d days.",
                        len(disabled), days=days))


@users_cli.command("review-due")
def users_review_due():
    """Print when the yearly access review is due; exit 1 when it is overdue."""
    from services import access

    status = access.review_status()
    if status.state == "none":
        click.echo(_("No accounts yet: nothing to review."))
        return
    day = status.due_on.isoformat()
    if status.state == "overdue":
        click.echo(ngettext("The access review is OVERDUE by %(num)d day (due %(day)s).",
                            "The access review is OVERDUE by %(num)d days (due %(day)s).",
                            -status.days_left, day=day))
        raise SystemExit(1)
    click.echo(ngettext("The access review is due %(day)s (in %(num)d day).",
                        "The access review is due %(day)s (in %(num)d days).",
                        status.days_left, day=day))


@users_cli.command("bootstrap")
def users_bootstrap():
    """Create the first controller 'admin' when there are no accounts, and print its password.

    The grant is recorded as made on the server's command line, with its audit events.
    """
    from services import access

    with setup_lock():  # two servers starting at once create one controller
        password = access.bootstrap_controller(_(
            "The register had no accounts: the first controller account was created when "
            "the register was set up."))
    if password is None:
        return
    line = "=" * 64
    click.echo(line)
    click.echo(_("The register had no accounts. Created the controller account:"))
    click.echo("    " + _("username: %(username)s", username=accounts.BOOTSTRAP_USERNAME))
    click.echo("    " + _("one-time password: %(password)s", password=password))
    click.echo(_("This password is shown only now. Log in and choose a new password."))
    click.echo(line)

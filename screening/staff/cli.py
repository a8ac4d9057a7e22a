"""`flask --app screening staff ...`: accounts (one per person), break-glass access, day export.

Every account change writes an audit row (source "cli"). Passwords are prompted twice, or read
from standard input with --password-stdin, and are never echoed or logged.
"""

import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from screening.clock import utcnow
from screening.domain import fhir_export
from screening.staff import auth as staff_auth
from screening.staff import store as staff_store

staff_cli = AppGroup("staff", help="Manage staff accounts and exports.")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def _username(value: str) -> str:
    username = staff_auth.normalise_username(value)
    if not USERNAME.fullmatch(username):
        raise click.BadParameter("use 2-64 letters, digits, dots, dashes or underscores")
    return username


def _existing(username: str):
    user = staff_store.user_by_username(_username(username))
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    return user


def _new_password(username: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        staff_auth.check_new_password(password, username)
    except staff_auth.PasswordRejected as rejected:
        raise click.ClickException(str(rejected)) from None
    return staff_auth.hash_password(password)


def _create(username: str, role: str, from_stdin: bool, action: str,
            expires_at: datetime | None = None):
    username = _username(username)
    if staff_store.user_by_username(username):
        raise click.ClickException(f"An account named {username!r} exists; one per person.")
    password_hash = _new_password(username, from_stdin)
    try:
        return staff_store.create_user(username, role, password_hash, action, expires_at)
    except staff_store.DuplicateUsername:
        raise click.ClickException(f"An account named {username!r} exists.") from None


password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input.")


@staff_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(staff_auth.ROLES), required=True)
@password_stdin
def create(username: str, role: str, password_stdin: bool) -> None:
    """Create a personal account; the authenticator is set up at first sign-in."""
    user = _create(username, role, password_stdin, "account_create")
    click.echo(f"Created {user.username} ({user.role}). At first sign-in they scan a QR code "
               "with an authenticator app.")


@staff_cli.command("list")
def list_accounts() -> None:
    """Every account with its role and state."""
    now = utcnow()
    for user in staff_store.list_users():
        if user.disabled:
            state = "disabled"
        elif user.expires_at:
            state = ("expired " if user.expires_at <= now else "expires ") + \
                user.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        else:
            state = "active"
        totp = "authenticator set up" if user.totp_enrolled_at else "authenticator not set up"
        click.echo(f"{user.username}\t{user.role}\t{state}\t{totp}")


@staff_cli.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Stop an account from signing in and end its sessions (the account and its audit stay)."""
    user = _existing(username)
    staff_store.disable_user(user.id)
    click.echo(f"Disabled {user.username}; their sessions have ended.")


@staff_cli.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Let a disabled account sign in again (same person, same username)."""
    user = _existing(username)
    staff_store.enable_user(user.id)
    click.echo(f"Enabled {user.username}.")


@staff_cli.command("reset")
@click.argument("username")
@password_stdin
def reset(username: str, password_stdin: bool) -> None:
    """New password; the authenticator app must be set up again at next sign-in."""
    user = _existing(username)
    staff_store.reset_user(user.id, _new_password(user.username, password_stdin))
    staff_store.clear_login_failures(staff_auth.username_key(user.username))
    click.echo(f"Reset {user.username}: new password set; they set up the authenticator again.")


@staff_cli.command("emergency")
@click.argument("username")
@click.option("--hours", type=click.IntRange(1, 12), default=4, show_default=True)
@password_stdin
def emergency(username: str, hours: int, password_stdin: bool) -> None:
    """Break-glass: a clinician account that stops working after --hours.

    HIPAA 164.312(a)(2)(ii) emergency access; the creation is audited.
    """
    expires_at = utcnow() + timedelta(hours=hours)
    user = _create(username, "clinician", password_stdin, "account_emergency", expires_at)
    click.echo(f"Emergency clinician account {user.username} works until "
               f"{expires_at.strftime('%Y-%m-%d %H:%M UTC')}. This is in the audit log.")


@staff_cli.command("export-day")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("outfile", type=click.Path(dir_okay=False, path_type=Path))
def export_day(day: datetime, outfile: Path) -> None:
    """Write one FHIR collection Bundle with the PHQ-9 of every submission of DAY (clinic time)."""

    zone = ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
    start = datetime.combine(day.date(), datetime.min.time(), tzinfo=zone)
    submissions = staff_store.submissions_between(start, start + timedelta(days=1))
    bundles = [fhir_export.submission_bundle(s.answers, s.created_at, s.public_id)
               for s in submissions]
    outfile.write_text(json.dumps(day_bundle(bundles), ensure_ascii=False, indent=2),
                       encoding="utf-8")
    staff_store.audited("export_day", "success", None, day.date().isoformat(), source="cli")
    click.echo(f"Wrote {len(submissions)} submissions to {outfile}.")


def day_bundle(bundles: list[dict]) -> dict:
    """One collection Bundle holding every entry of the per-submission Bundles."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "entry": [entry for bundle in bundles for entry in bundle.get("entry", [])],
    }

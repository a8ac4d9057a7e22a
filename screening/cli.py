"""`flask` commands for the database and for retention (`flask --app screening purge` in cron)."""

import click
from flask import Flask, current_app

from . import store
from .db import db, is_sqlite
from .fhir_cli import fhir_cli
from .models import utcnow
from .translate_cli import translate_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(purge)
    app.cli.add_command(fhir_cli)
    app.cli.add_command(translate_cli)


@click.command("init-db")
def init_db() -> None:
    """Create the tables (development; production uses `flask db upgrade`)."""
    db.create_all()
    click.echo("Database ready.")


@click.command("purge")
def purge() -> None:
    """Delete drafts and submissions older than the retention settings, then reclaim the space."""
    now = utcnow()
    drafts = store.purge_drafts(now, current_app.config["DRAFT_RETENTION_HOURS"])
    submissions = store.purge_submissions(now, current_app.config["SUBMISSION_RETENTION_DAYS"])
    if is_sqlite(db.engine):
        # VACUUM cannot run inside a transaction, and the engine's connections always begin one.
        connection = db.engine.raw_connection()
        try:
            connection.execute("VACUUM")
        finally:
            connection.close()
    click.echo(f"Purged {drafts} drafts and {submissions} submissions.")

"""`flask` commands for retention (`flask --app screening purge` in cron), FHIR and translations."""

import click
from flask import Flask, current_app

from screening.clock import utcnow
from screening.fhir.cli import fhir_cli
from screening.patient import store
from screening.staff.cli import staff_cli
from screening.translate_cli import translate_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(purge)
    app.cli.add_command(fhir_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(translate_cli)


@click.command("purge")
def purge() -> None:
    """Delete drafts and submissions older than the retention settings, then reclaim the space."""
    config = current_app.config
    drafts, submissions = store.purge(
        utcnow(), config["DRAFT_RETENTION_HOURS"], config["SUBMISSION_RETENTION_DAYS"])
    click.echo(f"Purged {drafts} drafts and {submissions} submissions.")

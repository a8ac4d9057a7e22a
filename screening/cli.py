"""`flask` commands for retention (`flask --app screening purge` in cron), key rotation
(`flask --app screening reencrypt`), FHIR and translations."""

import click
from flask import Flask, current_app

from screening.clock import utcnow
from screening.fhir.cli import fhir_cli
from screening.patient import store
from screening.staff.cli import staff_cli
from screening.translate_cli import translate_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(purge)
    app.cli.add_command(reencrypt)
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


@click.command("reencrypt")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows per write transaction.")
def reencrypt(batch_size: int) -> None:
    """Encrypt every stored answer and code under ANSWERS_ENCRYPTION_KEY (key rotation).

    Safe while the app serves patients, and safe to run again. Afterwards the previous key
    (ANSWERS_ENCRYPTION_PREVIOUS_KEY) is no longer needed.
    """
    done = store.reencrypt(batch_size)
    click.echo(f"Re-encrypted {done.drafts} drafts and {done.submissions} submissions; "
               f"{done.already_current} were already under the current key.")

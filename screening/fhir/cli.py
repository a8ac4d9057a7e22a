"""`flask fhir score FILE`: check the PHQ-9 totals in a FHIR QuestionnaireResponse or Bundle."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from screening.domain.fhir_score import FhirScoreError, score_resource

fhir_cli = AppGroup("fhir", help="Work with FHIR resources (PHQ-9 QuestionnaireResponses).")


@fhir_cli.command("score")
@click.argument("file", type=click.Path(path_type=Path))
def score_file(file: Path) -> None:
    """Score the PHQ-9 responses in FILE.

    FILE holds a QuestionnaireResponse or a Bundle. Totals come from the answers; a stated total
    is only compared. One JSON report is printed per response.
    """
    try:
        reports = score_resource(_read_json(file))
    except (FhirScoreError, UnreadableFile) as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    for report in reports:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))


class UnreadableFile(Exception):
    """The file is missing, unreadable or not JSON; the message is one line."""


def _read_json(file: Path):
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFile(f"{file}: no such file") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"{file} is not UTF-8 text") from None
    except OSError as error:
        raise UnreadableFile(f"cannot read {file}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"{file} is not valid JSON: {error}") from None

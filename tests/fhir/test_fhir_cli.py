"""`flask fhir score FILE`: one JSON report per response, or one error line and exit status 1."""

import json
from pathlib import Path

import pytest

from screening import create_app
from screening.fhir.cli import fhir_cli

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "fhir"
US_CORE = REFERENCE / "uscore-QuestionnaireResponse-phq-9-example.json"
SDC = REFERENCE / "sdc-questionnaireresponse-sdc-profile-example-PHQ9.2021.json"


@pytest.fixture
def fhir_runner():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.cli.add_command(fhir_cli)
    return app.test_cli_runner()


def json_objects(text: str) -> list[dict]:
    decoder, objects, position = json.JSONDecoder(), [], 0
    while text[position:].strip():
        position += len(text[position:]) - len(text[position:].lstrip())
        found, position = decoder.raw_decode(text, position)
        objects.append(found)
    return objects


def test_a_response_prints_its_report_as_sorted_json(fhir_runner):
    result = fhir_runner.invoke(args=["fhir", "score", str(US_CORE)])
    assert result.exit_code == 0
    (report,) = json_objects(result.stdout)
    assert report["computed_total"] == 12
    assert result.stdout.strip() == json.dumps(report, indent=2, sort_keys=True)


def test_a_wrong_stated_total_is_reported_not_fatal(fhir_runner):
    result = fhir_runner.invoke(args=["fhir", "score", str(SDC)])
    assert result.exit_code == 0
    (report,) = json_objects(result.stdout)
    assert (report["computed_total"], report["stated_total"], report["mismatch"]) == (10, 13, True)


def test_a_bundle_prints_one_report_per_response(fhir_runner, tmp_path):
    entries = [{"resource": json.loads(path.read_text())} for path in (US_CORE, SDC)]
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "entry": entries}))
    result = fhir_runner.invoke(args=["fhir", "score", str(bundle)])
    assert result.exit_code == 0
    assert [r["computed_total"] for r in json_objects(result.stdout)] == [12, 10]


def assert_one_error_line(result, fragment: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert fragment in result.stderr


def test_a_questionnaire_is_an_error(fhir_runner):
    result = fhir_runner.invoke(
        args=["fhir", "score", str(REFERENCE / "phq9-questionnaire-lhcforms.json")])
    assert_one_error_line(result, "Questionnaire")


def test_a_scoring_error_is_one_line(fhir_runner, tmp_path):
    qr = json.loads(US_CORE.read_text())
    qr["item"][0]["answer"][0]["valueCoding"]["code"] = "LA0000-0"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(qr))
    result = fhir_runner.invoke(args=["fhir", "score", str(path)])
    assert_one_error_line(result, "unknown answer code LA0000-0 for item 44250-9")


def test_invalid_json_is_an_error(fhir_runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": ')
    assert_one_error_line(fhir_runner.invoke(args=["fhir", "score", str(path)]),
                          "is not valid JSON")


def test_a_missing_file_is_an_error(fhir_runner, tmp_path):
    result = fhir_runner.invoke(args=["fhir", "score", str(tmp_path / "absent.json")])
    assert_one_error_line(result, "no such file")

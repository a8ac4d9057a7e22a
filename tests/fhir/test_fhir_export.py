"""Exporting PHQ-9 answers as a FHIR R4 Bundle that validates and scores back to the same total."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.domain.fhir_export import phq9_bundle
from screening.domain.fhir_score import score_resource
from screening.domain.instruments import phq9
from screening.domain.phq9 import score

SUBMITTED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
PUBLIC_ID = "Vx3mY0bq2tWlq8bCwH0kS9h1c1cA1aXk0qzR7s3s1Zg"
LOINC = "http://loinc.org"
# clinical.md §1.7, written out independently of the data file.
ITEM_LOINC = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
              "44258-2", "44252-5", "44253-3", "44260-8"]
ANSWER_LOINC = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
DIFFICULTY_LOINC = ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]


def answers(*values, difficulty=None) -> dict:
    given = {f"phq9_{n}": str(v) for n, v in enumerate(values, 1) if v is not None}
    if difficulty is not None:
        given["phq9_10"] = str(difficulty)
    return given


ANSWER_SETS = [
    answers(0, 0, 0, 0, 0, 0, 0, 0, 0),
    answers(3, 3, 3, 3, 3, 3, 3, 3, 3, difficulty=3),
    answers(1, 1, 1, 1, 0, 0, 0, 0, 0),
    answers(1, 1, 1, 1, 1, 0, 0, 0, 0, difficulty=0),
    answers(2, 2, 2, 2, 1, 0, 0, 0, 0),
    answers(2, 2, 2, 2, 1, 1, 0, 0, 0, difficulty=1),
    answers(2, 2, 2, 2, 2, 2, 2, 0, 0),
    answers(3, 3, 3, 3, 3, 2, 2, 1, 0, difficulty=2),
    answers(3, 3, 3, 3, 3, 3, 2, 0, 0),
    answers(3, 3, 3, 3, 3, 3, 1, 1, 1),
    answers(2, 2, 2, 2, 1, 1, 2, 0, 0, difficulty=1),
    answers(None, 2, 2, 2, 1, 1, 2, 0, 1),
    answers(2, None, 2, None, 1, 1, 2, 0, 1),
]


def resources(bundle: dict) -> dict:
    return {entry["resource"]["resourceType"]: entry for entry in bundle["entry"]}


def items_by_link_id(bundle: dict) -> dict:
    response = resources(bundle)["QuestionnaireResponse"]["resource"]
    return {item["linkId"]: item for item in response["item"]}


@pytest.mark.parametrize("given", ANSWER_SETS)
def test_the_bundle_validates_as_fhir_r4(given):
    bundle = phq9_bundle(given, SUBMITTED, PUBLIC_ID)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    kinds = [type(entry.resource) for entry in parsed.entry]
    assert kinds == [QuestionnaireResponse, Observation]


def test_the_validator_would_catch_a_malformed_bundle():
    bundle = phq9_bundle(ANSWER_SETS[0], SUBMITTED, PUBLIC_ID)
    bundle["entry"][1]["resource"]["valueQuantity"]["value"] = "zero"
    with pytest.raises(ValueError, match="valueQuantity"):
        Bundle.model_validate(bundle)


@pytest.mark.parametrize("given", ANSWER_SETS)
def test_the_observation_total_is_the_project_score(given):
    observation = resources(phq9_bundle(given, SUBMITTED, PUBLIC_ID))["Observation"]["resource"]
    result = score(given)
    assert observation["valueQuantity"]["value"] == result.total
    assert observation["interpretation"] == [{"text": result.band.label}]
    assert ("note" in observation) == result.prorated


@pytest.mark.parametrize("given", ANSWER_SETS)
def test_the_bundle_scores_back_to_the_same_total(given):
    (report,) = score_resource(phq9_bundle(given, SUBMITTED, PUBLIC_ID))
    result = score(given)
    assert report.computed_total == result.total
    assert report.stated_total == result.total
    assert report.prorated == result.prorated
    assert not report.mismatch
    assert report.item9.value == result.safety_item


def test_the_response_answers_with_loinc_codes_and_the_exact_wording():
    given = answers(0, 1, 2, 3, 0, 1, 2, 3, 1, difficulty=2)
    items = items_by_link_id(phq9_bundle(given, SUBMITTED, PUBLIC_ID))
    for n, loinc in enumerate(ITEM_LOINC, 1):
        coding = items[f"/{loinc}"]["answer"][0]["valueCoding"]
        assert coding["system"] == LOINC
        assert coding["code"] == ANSWER_LOINC[int(given[f"phq9_{n}"])]
        assert items[f"/{loinc}"]["text"] == phq9().item_text(f"phq9_{n}")
    difficulty = items["/69722-7"]
    assert difficulty["answer"][0]["valueCoding"]["code"] == DIFFICULTY_LOINC[2]
    assert difficulty["text"] == phq9().difficulty_text
    assert items["/44261-6"]["answer"] == [{"valueDecimal": 13}]


def test_the_response_names_the_loinc_form_and_when_it_was_authored():
    entry = resources(phq9_bundle(ANSWER_SETS[0], SUBMITTED, PUBLIC_ID))["QuestionnaireResponse"]
    response = entry["resource"]
    assert response["questionnaire"] == "http://loinc.org/q/44249-1"
    assert response["status"] == "completed"
    assert response["authored"] == "2025-03-04T05:06:07Z"
    assert entry["fullUrl"] == f"urn:uuid:{response['id']}"


def test_the_observation_is_a_final_survey_total_derived_from_the_response():
    bundle = phq9_bundle(ANSWER_SETS[1], SUBMITTED, PUBLIC_ID)
    observation = resources(bundle)["Observation"]["resource"]
    assert observation["status"] == "final"
    assert observation["code"]["coding"][0]["code"] == "44261-6"
    assert observation["category"][0]["coding"][0]["code"] == "survey"
    assert observation["effectiveDateTime"] == "2025-03-04T05:06:07Z"
    assert observation["valueQuantity"]["code"] == "{score}"
    response_url = resources(bundle)["QuestionnaireResponse"]["fullUrl"]
    assert observation["derivedFrom"] == [{"reference": response_url}]


def test_the_difficulty_item_appears_only_when_answered():
    assert "/69722-7" not in items_by_link_id(phq9_bundle(ANSWER_SETS[0], SUBMITTED, PUBLIC_ID))


def test_without_item_9_there_is_no_total_anywhere():
    given = answers(1, 1, 1, 1, 1, 1, 1, 1, None)
    bundle = phq9_bundle(given, SUBMITTED, PUBLIC_ID)
    Bundle.model_validate(bundle)
    assert set(resources(bundle)) == {"QuestionnaireResponse"}
    assert "/44261-6" not in items_by_link_id(bundle)
    (report,) = score_resource(bundle)
    assert (report.computed_total, report.item9.status) == (None, "unanswered")


def test_ids_are_stable_per_submission_and_do_not_reveal_the_public_id():
    first = phq9_bundle(ANSWER_SETS[2], SUBMITTED, PUBLIC_ID)
    assert first == phq9_bundle(ANSWER_SETS[2], SUBMITTED, PUBLIC_ID)
    other = phq9_bundle(ANSWER_SETS[2], SUBMITTED, PUBLIC_ID + "x")
    assert first["id"] != other["id"]
    assert PUBLIC_ID not in json.dumps(first)
    ids = [first["id"]] + [entry["resource"]["id"] for entry in first["entry"]]
    assert len(set(ids)) == len(ids)


def test_a_local_time_is_written_in_utc():
    eastern = timezone(timedelta(hours=-5))
    bundle = phq9_bundle(ANSWER_SETS[0], datetime(2025, 3, 4, 22, 0, tzinfo=eastern), PUBLIC_ID)
    assert bundle["timestamp"] == "2025-03-05T03:00:00Z"


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        phq9_bundle(ANSWER_SETS[0], datetime(2025, 3, 4), PUBLIC_ID)


def test_an_answer_outside_the_options_is_refused():
    with pytest.raises(ValueError, match="'4' for phq9_1"):
        phq9_bundle({**ANSWER_SETS[0], "phq9_1": "4"}, SUBMITTED, PUBLIC_ID)

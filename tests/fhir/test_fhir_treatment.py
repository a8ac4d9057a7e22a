"""The treatment history as a response to the app's own Questionnaire, validated."""

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.domain import fhir_export, fhir_treatment
from screening.domain.phq9 import score
from tests.helpers import REST_OF_FLOW

TRIALS = [
    {"_id": "a", "medicine": "sertraline", "this_episode": "yes", "dose_mg": "150", "weeks": "8",
     "adherence": "all", "response": "little", "stopped": "not_helping"},
    {"_id": "b", "medicine": "other", "other_name": "Agomelatine", "this_episode": "no",
     "dose_unknown": "y", "weeks_unknown": "y", "adherence": "some", "response": "worse",
     "stopped": "other"},
]
ANSWERS = {f"phq9_{i}": "2" for i in range(1, 10)} | REST_OF_FLOW | {
    "episode_month": "4", "episode_year": "2024", "trials": TRIALS,
    "augmentation": ["lithium", "antipsychotic"], "aneurysm_avm": "unsure"}
WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def walk(items):
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def test_the_questionnaire_is_valid_fhir_and_covers_every_question():
    questionnaire = fhir_treatment.questionnaire()
    Questionnaire.model_validate(questionnaire)
    link_ids = {item["linkId"] for item in walk(questionnaire["item"])}
    for expected in ("episode_year", "trials", "medicine", "dose_mg", "augmentation", "ect",
                     "ketamine_before", "aneurysm_avm", "ride_home"):
        assert expected in link_ids
    trials = next(i for i in questionnaire["item"] if i["linkId"] == "trials")
    assert trials["repeats"] is True and trials["type"] == "group"


def test_the_response_conforms_to_the_questionnaire():
    response = fhir_treatment.questionnaire_response(ANSWERS, "2026-11-27T09:30:00Z")
    QuestionnaireResponse.model_validate(response)
    definition = {i["linkId"]: i for i in walk(fhir_treatment.questionnaire()["item"])}
    for item in walk(response["item"]):
        spec = definition[item["linkId"]]
        for answer in item.get("answer", []):
            if spec["type"] == "choice":
                allowed = {o["valueCoding"]["code"] for o in spec["answerOption"]}
                assert answer["valueCoding"]["code"] in allowed, item["linkId"]
        if len(item.get("answer", [])) > 1:
            assert spec.get("repeats"), item["linkId"]


def test_each_trial_is_one_repeat_of_the_group():
    response = fhir_treatment.questionnaire_response(ANSWERS, "2026-11-27T09:30:00Z")
    groups = [i for i in response["item"] if i["linkId"] == "trials"]
    assert len(groups) == 2
    first = {i["linkId"]: i["answer"][0] for i in groups[0]["item"]}
    assert first["medicine"]["valueCoding"]["code"] == "sertraline"
    assert first["dose_mg"] == {"valueDecimal": 150.0}
    second = {i["linkId"]: i["answer"][0] for i in groups[1]["item"]}
    assert second["other_name"] == {"valueString": "Agomelatine"}
    assert second["dose_unknown"] == {"valueBoolean": True}


@pytest.mark.parametrize("answers", [ANSWERS, ANSWERS | {"phq9_9": "0", "trials": []}])
def test_the_submission_bundle_holds_both_responses_and_validates(answers):
    bundle = fhir_export.submission_bundle(answers, WHEN, "public-id-1")
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["QuestionnaireResponse", "Observation", "QuestionnaireResponse"]
    observation = bundle["entry"][1]["resource"]
    assert observation["valueQuantity"]["value"] == score(answers).total


def test_the_questionnaire_is_published(client):
    response = client.get("/fhir/Questionnaire/treatment-history")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.get_json()["url"] == fhir_treatment.QUESTIONNAIRE_URL

"""PHQ-9 answers as a FHIR R4 `collection` Bundle: a QuestionnaireResponse and a total Observation.

The response follows the LOINC PHQ-9 form (panel 44249-1) as the LHC-Forms and US Core
Questionnaires publish it: linkIds "/<LOINC item code>", LOINC answer codes, and the total item
44261-6 answered with a decimal because that item is of type decimal there. The Observation is
derived from the response and carries the same total, computed by the project's own scoring.

`submission_bundle` adds the treatment history and health questions as a response to the app's
own published Questionnaire (fhir_treatment.py).

Resource ids are uuid5 values derived from the submission's public id, so exporting the same
submission twice gives the same bundle, while the public id itself never leaves the app.
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from . import fhir_treatment
from .fhir_items import JsonObject
from .instruments import Option, phq9
from .phq9 import Phq9Result, score

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
TOTAL_TEXT = "Patient health questionnaire 9 item total score"
TOTAL_DISPLAY = "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
SCORE_UNIT = "{score}"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:intake-screening:fhir-export")


def phq9_bundle(answers: Mapping[str, Any], submitted_at: datetime, public_id: str) -> JsonObject:
    """The PHQ-9 of one submission; the Observation is left out when no total can be computed."""
    authored = fhir_datetime(submitted_at)
    result = score(answers)
    response_id = _resource_id(public_id, "QuestionnaireResponse")
    entries = [_entry(response_id, questionnaire_response(answers, authored, result))]
    if result.total is not None:
        observation_id = _resource_id(public_id, "Observation/total")
        observation = total_observation(result, authored, _full_url(response_id))
        entries.append(_entry(observation_id, observation))
    return {
        "resourceType": "Bundle",
        "id": _resource_id(public_id, "Bundle"),
        "type": "collection",
        "timestamp": authored,
        "entry": entries,
    }


def submission_bundle(
    answers: Mapping[str, Any], submitted_at: datetime, public_id: str
) -> JsonObject:
    """Everything a submission holds: the PHQ-9 bundle plus the treatment-history response."""
    bundle = phq9_bundle(answers, submitted_at, public_id)
    response_id = _resource_id(public_id, "QuestionnaireResponse/treatment-history")
    treatment = fhir_treatment.questionnaire_response(answers, fhir_datetime(submitted_at))
    return {**bundle, "entry": [*bundle["entry"], _entry(response_id, treatment)]}


def questionnaire_response(
    answers: Mapping[str, Any], authored: str, result: Phq9Result
) -> JsonObject:
    instrument = phq9()
    items = [
        _question_item(instrument.item_loinc[item_id], text, option)
        for item_id, text in instrument.items
        if (option := chosen_option(answers, item_id, instrument.frequency)) is not None
    ]
    if result.total is not None:
        items.append(_total_item(result.total))
    difficulty = chosen_option(answers, instrument.difficulty_id, instrument.difficulty_options)
    if difficulty is not None:
        items.append(
            _question_item(instrument.difficulty_loinc, instrument.difficulty_text, difficulty)
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{LOINC}/q/{instrument.loinc_panel}",
        "status": "completed",
        "authored": authored,
        "item": items,
    }


def total_observation(result: Phq9Result, authored: str, response_url: str) -> JsonObject:
    """The total as an Observation; ValueError for a result without a total (nothing to report)."""
    if result.total is None or result.band is None:
        raise ValueError("a PHQ-9 result without a total has no total Observation")
    observation: JsonObject = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [
            {"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
        ]}],
        "code": {
            "coding": [_loinc_coding(phq9().loinc_total, TOTAL_DISPLAY)],
            "text": TOTAL_TEXT,
        },
        "effectiveDateTime": authored,
        "valueQuantity": {
            "value": result.total,
            "unit": SCORE_UNIT,
            "system": UCUM,
            "code": SCORE_UNIT,
        },
        "interpretation": [{"text": result.band.label}],
        "derivedFrom": [{"reference": response_url}],
    }
    if result.prorated:
        observation["note"] = [{"text": _prorated_note(result)}]
    return observation


def chosen_option(
    answers: Mapping[str, Any], item_id: str, options: tuple[Option, ...]
) -> Option | None:
    """The option answered for `item_id`, or None; a value outside the options is a bug upstream."""
    value = answers.get(item_id)
    if value is None or value == "":
        return None
    for option in options:
        if option.value == str(value):
            return option
    raise ValueError(f"answer {value!r} for {item_id} is not one of the instrument's options")


def fhir_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _question_item(loinc: str, text: str, option: Option) -> JsonObject:
    if option.loinc is None:  # every PHQ-9 answer has its LOINC code (phq9.toml)
        raise ValueError(f"answer {option.value!r} to {loinc} has no LOINC answer code")
    return {
        "linkId": f"/{loinc}",
        "text": text,
        "answer": [{"valueCoding": _loinc_coding(option.loinc, option.label)}],
    }


def _loinc_coding(code: str, display: str) -> JsonObject:
    return {"system": LOINC, "code": code, "display": display}


def _total_item(total: int) -> JsonObject:
    return {
        "linkId": f"/{phq9().loinc_total}",
        "text": TOTAL_TEXT,
        "answer": [{"valueDecimal": total}],
    }


def _prorated_note(result: Phq9Result) -> str:
    answered = len(phq9().item_ids) - len(result.missing)
    return f"Prorated total: mean of the {answered} answered items × 9, rounded."


def _resource_id(public_id: str, role: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{public_id}/{role}"))


def _full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def _entry(resource_id: str, resource: JsonObject) -> JsonObject:
    identified = {"resourceType": resource["resourceType"], "id": resource_id, **resource}
    return {"fullUrl": _full_url(resource_id), "resource": identified}

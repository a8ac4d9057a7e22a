"""Score the PHQ-9 in FHIR QuestionnaireResponses from their answers, never from a stated total.

Items are recognised by linkId or by LOINC `item.code` (fhir_items.py lists the shapes).
Answers are recognised by LOINC answer code, by the SDC example CodeSystem's own codes, by an
`ordinalValue`/`itemWeight` extension, or by a plain number 0-3. The total is computed with the
project's PHQ-9 scoring, so the missing-item rules of DESIGN.md §3 apply (item 9 is never imputed).
Anything that cannot be scored safely raises `FhirScoreError` with a one-line reason.
"""

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from .fhir_items import LOINC, TOTAL, FhirScoreError, JsonObject, as_list, describe, items_by_role
from .instruments import Option, phq9
from .phq9 import Phq9Result, score

__all__ = ["FhirScoreError", "Item9", "ScoreReport", "score_resource", "score_response"]

SDC_PHQ9_ANSWERS = "http://hl7.org/fhir/uv/sdc/CodeSystem/CSPHQ9"
WEIGHT_EXTENSIONS = frozenset({
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
})
# HL7 SDC IG, input/fsh/codesystems/CodeSystemCSPHQ9.fsh: codes and their itemWeight.
SDC_ANSWER_CODES = {
    "Not-at-all": 0,
    "Several-days": 1,
    "More than half the days": 2,
    "Nearly every day": 3,
}
LOWEST_TOTAL, HIGHEST_TOTAL = 0, 27
UNSCORED_STATUSES = frozenset({"in-progress", "stopped", "entered-in-error"})
NUMBER = re.compile(r"\s*-?\d+(\.\d+)?\s*")


@dataclass(frozen=True)
class Item9:
    status: str
    value: int | None


@dataclass(frozen=True)
class ScoreReport:
    id: str | None
    computed_total: int | None
    prorated: bool
    band: str | None
    band_label: str | None
    item9: Item9
    stated_total: int | float | None
    mismatch: bool
    warning: str | None
    difficulty: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_resource(resource: object) -> list[ScoreReport]:
    """One report per QuestionnaireResponse in `resource` (a response, or a Bundle of them)."""
    return [
        _score_naming_the_response(response, fallback_id)
        for response, fallback_id in _responses_in(resource)
    ]


def _score_naming_the_response(response: JsonObject, fallback_id: str | None) -> ScoreReport:
    try:
        return score_response(response, fallback_id)
    except FhirScoreError as error:
        name = response.get("id") or fallback_id
        if name is None:
            raise
        raise FhirScoreError(f"QuestionnaireResponse {name}: {error}") from None


def score_response(response: JsonObject, fallback_id: str | None = None) -> ScoreReport:
    found = items_by_role(response.get("item"))
    answers = {
        item_id: str(value)
        for item_id in phq9().item_ids
        if (value := _item_score(found, item_id)) is not None
    }
    result = score(answers)
    stated = _stated_total(found.get(TOTAL))
    mismatch = stated is not None and stated != result.total
    return ScoreReport(
        id=response.get("id") or fallback_id,
        computed_total=result.total,
        prorated=result.prorated,
        band=result.band.id if result.band else None,
        band_label=result.band.label if result.band else None,
        item9=_item9(result.safety_item),
        stated_total=stated,
        mismatch=mismatch,
        warning=_warning(response, result, stated, mismatch),
        difficulty=_difficulty_label(found),
    )


def _responses_in(resource: object) -> list[tuple[JsonObject, str | None]]:
    if not isinstance(resource, dict):
        resource = {}  # not a JSON object, so no resourceType: refused below
    kind = resource.get("resourceType")
    if kind == "QuestionnaireResponse":
        return [(resource, None)]
    if kind == "Bundle":
        return _responses_in_bundle(resource)
    if kind == "Questionnaire":
        raise FhirScoreError(
            "this is a Questionnaire (a form definition, with no answers); "
            "expected a QuestionnaireResponse or a Bundle of them"
        )
    described = kind or "a resource without resourceType"
    raise FhirScoreError(f"expected a QuestionnaireResponse or a Bundle, not {described}")


def _responses_in_bundle(bundle: JsonObject) -> list[tuple[JsonObject, str | None]]:
    responses = [
        (entry["resource"], entry.get("fullUrl"))
        for entry in as_list(bundle.get("entry"), "Bundle.entry")
        if isinstance(entry, dict)
        and isinstance(entry.get("resource"), dict)
        and entry["resource"].get("resourceType") == "QuestionnaireResponse"
    ]
    if not responses:
        raise FhirScoreError("no QuestionnaireResponse found in the Bundle")
    return responses


# --- Reading the answers -------------------------------------------------------------------


def _single_answer(item: JsonObject | None, role: str) -> JsonObject | None:
    if item is None:
        return None
    answers = as_list(item.get("answer"), f"answer of {describe(role)}")
    if not answers:
        return None
    if len(answers) > 1:
        raise FhirScoreError(f"{describe(role)} has {len(answers)} answers; it takes one")
    if not isinstance(answers[0], dict):
        raise FhirScoreError(f"the answer of {describe(role)} is not a JSON object")
    return answers[0]


def _item_score(found: dict[str, JsonObject], role: str) -> int | None:
    answer = _single_answer(found.get(role), role)
    return None if answer is None else _answer_score(answer, role, _frequency_codes())


def _answer_score(answer: JsonObject, role: str, codes: dict[str, dict[str, int]]) -> int:
    if "valueCoding" in answer:
        return _coding_score(answer, role, codes)
    for key in ("valueInteger", "valueDecimal"):
        if key in answer:
            return _plain_score(answer[key], f"answer {answer[key]!r} for {describe(role)}")
    given = ", ".join(sorted(key for key in answer if key.startswith("value"))) or "no value"
    raise FhirScoreError(f"cannot score {given} for {describe(role)}; expected a coded answer")


def _coding_score(answer: JsonObject, role: str, codes: dict[str, dict[str, int]]) -> int:
    coding = answer["valueCoding"]
    if not isinstance(coding, dict):
        raise FhirScoreError(f"the valueCoding of {describe(role)} is not a JSON object")
    code, system = coding.get("code"), coding.get("system")
    by_code = _score_for_code(code, system, codes)
    weight = _weight(coding, role)
    if weight is None:
        weight = _weight(answer, role)
    if by_code is None:
        if weight is None:
            from_system = f" (system {system})" if system not in (None, LOINC) else ""
            raise FhirScoreError(f"unknown answer code {code}{from_system} for {describe(role)}")
        return weight
    if weight is not None and by_code != weight:
        raise FhirScoreError(
            f"answer {code} for {describe(role)} carries weight {weight}, "
            f"but the code means {by_code}"
        )
    return by_code


def _score_for_code(code: Any, system: Any, codes: dict[str, dict[str, int]]) -> int | None:
    """The score `code` means in `system`'s table, or in any table when no system is given."""
    tables = codes.values() if system is None else [codes.get(system, {})]
    return next((table[code] for table in tables if code in table), None)


def _weight(element: JsonObject, role: str) -> int | None:
    for extension in as_list(element.get("extension"), "extension"):
        if isinstance(extension, dict) and extension.get("url") in WEIGHT_EXTENSIONS:
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            return _plain_score(value, f"answer weight {value!r} for {describe(role)}")
    return None


def _plain_score(value: object, described: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or not 0 <= value <= 3
    ):
        raise FhirScoreError(f"{described} is not a PHQ-9 score 0-3")
    return int(value)


@cache
def _frequency_codes() -> dict[str, dict[str, int]]:
    return {LOINC: _option_codes(phq9().frequency), SDC_PHQ9_ANSWERS: SDC_ANSWER_CODES}


@cache
def _difficulty_codes() -> dict[str, dict[str, int]]:
    return {LOINC: _option_codes(phq9().difficulty_options)}


def _option_codes(options: tuple[Option, ...]) -> dict[str, int]:
    # Every PHQ-9 option has both (phq9.toml); an option without them has no code to match.
    return {option.loinc: option.score for option in options
            if option.loinc is not None and option.score is not None}


def _difficulty_label(found: dict[str, JsonObject]) -> str | None:
    role = phq9().difficulty_id
    answer = _single_answer(found.get(role), role)
    if answer is None:
        return None
    value = _answer_score(answer, role, _difficulty_codes())
    return next(option.label for option in phq9().difficulty_options if option.score == value)


# --- The stated total and the report -------------------------------------------------------


def _stated_total(item: JsonObject | None) -> int | float | None:
    answer = _single_answer(item, TOTAL)
    if answer is None:
        return None
    value = _total_value(answer)
    if not LOWEST_TOTAL <= value <= HIGHEST_TOTAL:
        raise FhirScoreError(f"stated total {value} is outside {LOWEST_TOTAL}-{HIGHEST_TOTAL}")
    return int(value) if value == int(value) else value


def _total_value(answer: JsonObject) -> int | float:
    value: object
    if "valueQuantity" in answer:
        quantity = answer["valueQuantity"]
        value = quantity.get("value") if isinstance(quantity, dict) else None
    elif "valueString" in answer:
        value = _number_in(answer["valueString"])
    else:
        value = answer.get("valueInteger", answer.get("valueDecimal"))
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise FhirScoreError(f"stated total {value!r} is not a number")
    return value


def _number_in(text: object) -> object:
    """The number written in `text`, or `text` itself when it is not a number in a string."""
    if not isinstance(text, str) or not NUMBER.fullmatch(text):
        return text
    number = float(text)
    return int(number) if number == int(number) else number


def _item9(value: int | None) -> Item9:
    if value is None:
        return Item9("unanswered", None)
    return Item9("positive" if value > 0 else "negative", value)


def _warning(
    response: JsonObject, result: Phq9Result, stated: int | float | None, mismatch: bool
) -> str | None:
    notes = [
        _status_note(response.get("status")),
        _missing_note(result),
        _mismatch_note(result.total, stated) if mismatch else None,
    ]
    return "; ".join(note for note in notes if note) or None


def _status_note(status: object) -> str | None:
    return f"response status is {status}" if status in UNSCORED_STATUSES else None


def _missing_note(result: Phq9Result) -> str | None:
    unanswered = ", ".join(_item_number(item_id) for item_id in result.missing)
    if result.safety_item is None:
        return f"no total: safety item unanswered, never imputed (unanswered: {unanswered})"
    if result.total is None:
        return f"no total: too many items unanswered to prorate (unanswered: {unanswered})"
    if result.prorated:
        return f"total prorated from the answered items (unanswered: {unanswered})"
    return None


def _mismatch_note(computed: int | None, stated: int | float | None) -> str:
    if computed is None:
        return f"stated total {stated} cannot be checked: no total can be computed from the answers"
    return f"stated total {stated} does not match {computed} computed from the answers"


def _item_number(item_id: str) -> str:
    return f"item {phq9().item_ids.index(item_id) + 1}"


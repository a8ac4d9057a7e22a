"""Finding the PHQ-9 items in a FHIR QuestionnaireResponse, at any depth, by linkId or LOINC code.

Recognised linkIds: LOINC codes ("/44250-9", "44250-9", or a path ending in the code), the German
MII PROMs ("PHQ.1", "PHQ-9.1") and the HL7 SDC example ("H1/T1/Q1"); or a LOINC `item.code`.
"""

from functools import cache
from typing import Any

from .instruments import phq9

LOINC = "http://loinc.org"
TOTAL = "total"

# A JSON object as parsed from a FHIR resource; its values are whatever the sender wrote.
JsonObject = dict[str, Any]


class FhirScoreError(ValueError):
    """A resource that cannot be scored safely; the message says why in one line."""


def as_list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FhirScoreError(f"{what} must be a list")
    return value


@cache
def _roles_by_link_id() -> dict[str, str]:
    instrument = phq9()
    numbered = dict(enumerate(instrument.item_ids, start=1))
    numbered[len(numbered) + 1] = instrument.difficulty_id
    roles: dict[str, str] = {}
    for number, role in numbered.items():
        for link_id in (f"PHQ.{number}", f"PHQ-9.{number}"):
            roles[link_id] = role
    for number, item_id in enumerate(instrument.item_ids, start=1):
        roles[f"H1/T1/Q{number}"] = item_id
    for link_id in ("PHQ.Score", "PHQ-9.Score", "H1/TS"):
        roles[link_id] = TOTAL
    return roles


@cache
def _roles_by_loinc() -> dict[str, str]:
    instrument = phq9()
    roles = {loinc: item_id for item_id, loinc in instrument.item_loinc.items()}
    roles[instrument.difficulty_loinc] = instrument.difficulty_id
    roles[instrument.loinc_total] = TOTAL
    return roles


@cache
def _loinc_by_role() -> dict[str, str]:
    return {role: loinc for loinc, role in _roles_by_loinc().items()}


def _role_of(item: JsonObject) -> str | None:
    link_id = str(item.get("linkId", ""))
    if link_id in _roles_by_link_id():
        return _roles_by_link_id()[link_id]
    last_segment = link_id.rsplit("/", 1)[-1]
    if last_segment in _roles_by_loinc():
        return _roles_by_loinc()[last_segment]
    for coding in as_list(item.get("code"), f"code of item {link_id}"):
        if not isinstance(coding, dict):
            raise FhirScoreError(f"a code of item {link_id} is not a JSON object")
        if coding.get("system") in (None, LOINC) and coding.get("code") in _roles_by_loinc():
            return _roles_by_loinc()[coding["code"]]
    return None


def items_by_role(items: object) -> dict[str, JsonObject]:
    found: dict[str, JsonObject] = {}
    for role, item in _walk(items):
        if role in found:
            raise FhirScoreError(f"{describe(role)} appears more than once")
        found[role] = item
    return found


def _walk(items: object) -> list[tuple[str, JsonObject]]:
    """(role, item) for each recognised item, at any depth; groups and display items pass."""
    found: list[tuple[str, JsonObject]] = []
    for item in as_list(items, "item"):
        if not isinstance(item, dict):
            raise FhirScoreError("an item is not a JSON object")
        role = _role_of(item)
        if role is not None:
            found.append((role, item))
        elif item.get("answer"):
            raise FhirScoreError(f"linkId {item.get('linkId')!r} matches no PHQ-9 item")
        found.extend(_walk(_children(item)))
    return found


def _children(item: JsonObject) -> list[Any]:
    nested_in_answers = [
        child
        for answer in as_list(item.get("answer"), "answer")
        if isinstance(answer, dict)
        for child in as_list(answer.get("item"), "answer.item")
    ]
    return as_list(item.get("item"), "item") + nested_in_answers


def describe(role: str) -> str:
    return f"item {_loinc_by_role()[role]}"

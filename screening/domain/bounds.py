"""How much of a patient's answers may be stored, whatever a form or a forged request sends
(issue 15.2): each value within its question's own limit, numbers as bounded numbers, a bounded
number of entries in a repeating step, and a bounded draft. A store checks answers with
`storable` before writing them; TooMuchToStore leaves what was saved as it was.
"""

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .flow import steps
from .questions import Question, all_questions

MAX_ENTRIES = 30  # entries in one repeating step, for example 30 medicines
MAX_TEXT = 120  # a free-text answer (the form's own limit)
MAX_CHOICE = 64  # the value of a choice, a medicine or a checkbox
MAX_NUMBER = 16  # a number as stored, after rounding
NUMBER_PLACES = Decimal("0.001")  # numbers are stored to three decimal places at most
MAX_OTHER = 1000  # a value of anything else in the draft (for example the safety pathway's)
MAX_LIST = 100  # the items of any list that is not a repeating step
MAX_DRAFT_CHARS = 64 * 1024  # the whole draft as JSON


class TooMuchToStore(ValueError):
    """`reason` is "entries", "value" or "draft"; `limit` the bound that was passed."""

    def __init__(self, reason: str, limit: int):
        super().__init__(f"{reason} over {limit}")
        self.reason = reason
        self.limit = limit


def bounded_number(value: str) -> str:
    """`value` as a plain decimal to at most three places ("1E-999990" is "0"); TooMuchToStore if
    it is not a finite number or is still longer than MAX_NUMBER."""
    try:
        number = Decimal(value)
        if not number.is_finite() or number.adjusted() > MAX_NUMBER:
            raise TooMuchToStore("value", MAX_NUMBER)
        text = format(number.quantize(NUMBER_PLACES).normalize(), "f")
    except InvalidOperation as error:
        raise TooMuchToStore("value", MAX_NUMBER) from error
    if len(text) > MAX_NUMBER:
        raise TooMuchToStore("value", MAX_NUMBER)
    return "0" if text in ("-0", "0") else text


def _bounded_text(value: object, limit: int) -> object:
    if isinstance(value, str) and len(value) > limit:
        raise TooMuchToStore("value", limit)
    return value


def _bounded_value(question: Question | None, value: Any) -> Any:
    """One stored answer within its question's limit (numbers rewritten as bounded numbers)."""
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise TooMuchToStore("value", MAX_LIST)
        return [_bounded_value(question, item) for item in value]
    if isinstance(value, Mapping):
        return {str(_bounded_text(k, MAX_CHOICE)): _bounded_value(None, v)
                for k, v in value.items()}
    if question is None:
        return _bounded_text(value, MAX_OTHER)
    if question.kind in ("integer", "number") and isinstance(value, str) and value != "":
        return bounded_number(value)
    return _bounded_text(value, MAX_TEXT if question.kind == "text" else MAX_CHOICE)


def _bounded_entry(entry: Mapping[str, Any], questions: dict[str, Question]) -> dict[str, Any]:
    return {str(_bounded_text(key, MAX_CHOICE)): _bounded_value(questions.get(key), value)
            for key, value in entry.items()}


def storable(answers: Mapping[str, Any]) -> dict[str, Any]:
    """`answers` as they may be stored: each value within its limit, numbers bounded, at most
    MAX_ENTRIES entries in each repeating step, the whole at most MAX_DRAFT_CHARS as JSON.
    Raises TooMuchToStore otherwise."""
    questions = all_questions()
    repeating = {step.id for step in steps() if step.kind == "repeat"}
    bounded: dict[str, Any] = {}
    for key, value in answers.items():
        _bounded_text(key, MAX_CHOICE)
        if key in repeating and isinstance(value, list):
            if len(value) > MAX_ENTRIES:
                raise TooMuchToStore("entries", MAX_ENTRIES)
            bounded[key] = [_bounded_entry(entry, questions) if isinstance(entry, Mapping)
                            else _bounded_value(None, entry) for entry in value]
        else:
            bounded[key] = _bounded_value(questions.get(key), value)
    if len(json.dumps(bounded, ensure_ascii=False)) > MAX_DRAFT_CHARS:
        raise TooMuchToStore("draft", MAX_DRAFT_CHARS)
    return bounded

"""Treatment history and health questions as FHIR R4: the app's own Questionnaire and response.

No standard Questionnaire covers a patient's antidepressant trials, so the app publishes its own,
built from the same data as the pages (`data/flow.toml`, `data/treatment_history.toml`,
`data/medical_review.toml`): one item per question, linkId = the question id, and the medicine
trials as a repeating group. A change to the questions changes the Questionnaire with them.
"""

from collections.abc import Callable, Iterable
from typing import Any

from .fhir_items import JsonObject
from .flow import Answers, Step, steps
from .questions import Question, all_questions

QUESTIONNAIRE_URL = "urn:intake-screening:Questionnaire:treatment-history"
QUESTIONNAIRE_VERSION = "1"
SECTIONS = ("treatment", "medical")
ITEM_TYPES = {"choice": "choice", "select": "choice", "medicine": "choice", "multi": "choice",
              "integer": "integer", "number": "decimal", "text": "string", "checkbox": "boolean"}
VALUE_KEYS = {"integer": "valueInteger", "decimal": "valueDecimal", "string": "valueString",
              "boolean": "valueBoolean"}
# A stored answer (a string) as the value its FHIR item type takes.
CONVERTERS: dict[str, Callable[[Any], int | float | str | bool]] = {
    "integer": int, "decimal": float, "string": str, "boolean": lambda v: v == "y"}


def answer_system(question_id: str) -> str:
    return f"{QUESTIONNAIRE_URL}:{question_id}"


def _sections() -> list[Step]:
    return [step for step in steps() if step.section in SECTIONS and step.kind != "notice"]


def _question_item(question: Question) -> JsonObject:
    item: JsonObject = {"linkId": question.id, "text": question.text,
                         "type": ITEM_TYPES[question.kind], "required": question.required}
    if question.kind == "multi":
        item["repeats"] = True
    if question.all_options:
        item["answerOption"] = [
            {"valueCoding": {"system": answer_system(question.id), "code": option.value,
                             "display": option.label}}
            for option in question.all_options]
    return item


def questionnaire() -> JsonObject:
    questions = all_questions()
    items: list[JsonObject] = []
    for step in _sections():
        children = [_question_item(questions[qid]) for qid in step.stored_questions]
        if step.kind == "repeat":
            items.append({"linkId": step.id, "text": step.title, "type": "group",
                          "repeats": True, "required": False, "item": children})
        else:
            items.extend(children)
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "IntakeTreatmentHistory",
        "title": "Treatment history and health questions for clinician review",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def _answers_for(question: Question, value: Any) -> list[JsonObject]:
    item_type = ITEM_TYPES[question.kind]
    values = value if isinstance(value, list) else [value]
    if item_type == "choice":
        return [{"valueCoding": {"system": answer_system(question.id), "code": v,
                                 "display": question.option_label(v) or v}}
                for v in values if v not in ("", None)]
    if value in ("", None):
        return []
    return [{VALUE_KEYS[item_type]: CONVERTERS[item_type](value)}]


def _response_items(question_ids: Iterable[str], answers: Answers) -> list[JsonObject]:
    questions = all_questions()
    items = []
    for qid in question_ids:
        answered = _answers_for(questions[qid], answers.get(qid))
        if answered:
            items.append({"linkId": qid, "text": questions[qid].text, "answer": answered})
    return items


def questionnaire_response(answers: Answers, authored: str) -> JsonObject:
    items: list[JsonObject] = []
    for step in _sections():
        if step.kind == "repeat":
            items += [{"linkId": step.id, "text": step.title,
                       "item": _response_items(step.stored_questions, entry)}
                      for entry in answers.get(step.id, [])]
        else:
            items += _response_items(step.stored_questions, answers)
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}",
        "status": "completed",
        "authored": authored,
        "item": items,
    }

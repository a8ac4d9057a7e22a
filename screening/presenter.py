"""Turning stored answers into the rows the review page and the repeat lists show."""

from dataclasses import dataclass

from .domain import flow
from .domain.questions import all_questions


@dataclass(frozen=True)
class ReviewRow:
    question: str
    answer: str
    step_number: int
    question_id: str


@dataclass(frozen=True)
class RepeatEntry:
    id: str
    title: str
    details: str


def answer_label(question_id: str, value) -> str:
    question = all_questions()[question_id]
    if question.kind == "checkbox":
        return question.text if value == "y" else ""
    label = question.option_label(value) if question.all_options else value
    return label or ""


def repeat_entries(step: flow.Step, answers: dict) -> list[RepeatEntry]:
    entries = []
    for entry in answers.get(step.id, []):
        title_key, *detail_keys = step.questions
        title = answer_label(title_key, entry.get(title_key, ""))
        if entry.get("other_name"):
            title = entry["other_name"]
        details = [_detail(key, entry) for key in detail_keys if key != "other_name"]
        entries.append(RepeatEntry(entry["_id"], title, " · ".join(d for d in details if d)))
    return entries


def _detail(key: str, entry: dict) -> str:
    value = entry.get(key, "")
    if not value:
        return ""
    question = all_questions()[key]
    if question.kind == "checkbox":
        return f"{question.short}: not known"
    shown = value if question.kind in ("integer", "number") else answer_label(key, value)
    return f"{question.short or question.text}: {shown}"


def review_rows(answers: dict) -> list[ReviewRow]:
    rows = []
    for step in flow.visible_steps(answers):
        if step.kind == "repeat":
            rows += _repeat_rows(step, answers)
            continue
        for qid in step.questions:
            value = answers.get(qid, "")
            if value in ("", None, []) and not all_questions()[qid].required:
                continue
            label = answer_label(qid, value)
            rows.append(ReviewRow(all_questions()[qid].text, label or "Not answered",
                                  step.number, qid))
    return rows


def _repeat_rows(step: flow.Step, answers: dict) -> list[ReviewRow]:
    entries = repeat_entries(step, answers)
    if not entries:
        return [ReviewRow(step.title, f"No {step.item_noun}s added", step.number, step.id)]
    return [ReviewRow(f"{step.item_noun.capitalize()} {i}: {entry.title}", entry.details,
                      step.number, step.id) for i, entry in enumerate(entries, start=1)]

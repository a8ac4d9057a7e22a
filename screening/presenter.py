"""Turning stored answers into the rows the review page shows."""

from dataclasses import dataclass

from .domain import flow
from .domain.questions import all_questions


@dataclass(frozen=True)
class ReviewRow:
    question: str
    answer: str
    step_number: int
    question_id: str


def review_rows(answers: dict) -> list[ReviewRow]:
    questions = all_questions()
    rows = []
    for step in flow.visible_steps(answers):
        for qid in step.questions:
            question = questions[qid]
            value = answers.get(qid, "")
            label = question.option_label(value) if question.options else value
            rows.append(ReviewRow(question.text, label or "Not answered", step.number, qid))
    return rows

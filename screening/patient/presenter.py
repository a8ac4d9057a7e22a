"""Turning stored answers into the rows the review page and the repeat lists show.

Rows are worded in the page's language: question and option text from the data in that language,
the few connecting words through Flask-Babel. Free text is shown as typed.
"""

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from screening.domain import flow
from screening.domain.locales import DEFAULT_LANGUAGE
from screening.domain.questions import all_questions


@dataclass(frozen=True)
class ReviewRow:
    question: str
    answer: str
    step_number: int
    question_id: str
    section: str = ""


@dataclass(frozen=True)
class RepeatEntry:
    id: str
    title: str
    details: str


def answer_label(question_id: str, value, language: str = DEFAULT_LANGUAGE) -> str:
    question = all_questions(language)[question_id]
    if question.kind == "checkbox":
        return question.text if value == "y" else ""
    label = question.option_label(value) if question.all_options else value
    return label or ""


def repeat_entries(step: flow.Step, answers: dict) -> list[RepeatEntry]:
    """The entries of a repeating step, worded in the step's language."""
    entries = []
    for entry in answers.get(step.id, []):
        title_key = step.questions[0]
        title = answer_label(title_key, entry.get(title_key, ""), step.language)
        if entry.get("other_name") and entry.get(title_key) == "other":
            title = entry["other_name"]  # never over a medicine chosen from the list
        details = [_detail(key, entry, step.language) for key in step.stored_questions[1:]
                   if key != "other_name"]
        entries.append(RepeatEntry(entry["_id"], title, " · ".join(d for d in details if d)))
    return entries


def _detail(key: str, entry: dict, language: str) -> str:
    value = entry.get(key, "")
    if not value:
        return ""
    question = all_questions(language)[key]
    if question.kind == "checkbox":
        return _("%(what)s: not known", what=question.short)
    shown = value if question.kind in ("integer", "number") else answer_label(key, value, language)
    return f"{question.short or question.text}: {shown}"


def review_rows(answers: dict, language: str = DEFAULT_LANGUAGE) -> list[ReviewRow]:
    questions = all_questions(language)
    titles = {key: section.title for key, section in flow.sections(language).items()}
    rows = []
    for step in flow.visible_steps(answers):
        if step.kind == "repeat":
            rows += [replace(row, section=titles[step.section]) for row in
                     _repeat_rows(flow.step_by_number(step.number, language), answers)]
            continue
        for qid in step.questions:
            value = answers.get(qid, "")
            if value in ("", None, []) and not questions[qid].required:
                continue
            label = answer_label(qid, value, language)
            rows.append(ReviewRow(questions[qid].text, label or _("Not answered"),
                                  step.number, qid, titles[step.section]))
    return rows


def _repeat_rows(step: flow.Step, answers: dict) -> list[ReviewRow]:
    entries = repeat_entries(step, answers)
    if not entries:
        return [ReviewRow(step.title, step.texts["none_added"], step.number, step.id)]
    return [ReviewRow(f"{step.texts['entry'].format(n=i)}: {entry.title}", entry.details,
                      step.number, step.id) for i, entry in enumerate(entries, start=1)]

"""Medical-history answers that a supervising clinician must review (data/medical_review.toml).

Source: DESIGN.md §3 review flags; shared/reference/clinical.md §4.1 (esketamine label) and §4.2
(suggested flag list). A flag is never an exclusion or an eligibility decision. Flag wording
follows the summary language (phrases.in_language; `es.flag` in the data file).
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import phrases
from . import toml_fields as fields
from .data_files import load_toml
from .locales import pick, translations
from .phrases import N_, _

REVIEW_FILE = "medical_review"
ANSWERS = ("yes", "no", "unsure")
UNANSWERED = "unanswered"
ANSWER_PHRASES = {
    "yes": N_("Answered yes"),
    "no": N_("Answered no"),
    "unsure": N_("Answered not sure"),
    UNANSWERED: N_("Not answered"),
}


@dataclass(frozen=True)
class ReviewQuestion:
    id: str
    text: str
    hint: str
    flag: str
    flag_on: tuple[str, ...]
    label_contraindication: bool
    source: str
    flags: Mapping[str, str] = field(default_factory=dict, compare=False)  # es.flag ...

    def flag_in(self, language: str) -> str:
        return pick(self.flag, self.flags, language)


@dataclass(frozen=True)
class ReviewFlag:
    id: str
    answer: str  # "yes" | "no" | "unsure", or "unanswered"
    reason: str
    label_contraindication: bool


def parse_questions(
    data: Mapping[str, Any], where: str = f"{REVIEW_FILE}.toml"
) -> tuple[ReviewQuestion, ...]:
    """Build the review questions from parsed TOML; ValueError on a missing field or bad answer."""
    questions = tuple(
        _parse_question(row, f"{where} [[questions]] #{index + 1}")
        for index, row in enumerate(fields.tables(data, "questions", where))
    )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: question ids must be unique")
    return questions


@functools.cache
def load_questions() -> tuple[ReviewQuestion, ...]:
    """The questions shipped in data/medical_review.toml, parsed and validated once."""
    return parse_questions(load_toml(REVIEW_FILE))


def review_flags(
    answers: Mapping[str, str],
    questions: tuple[ReviewQuestion, ...] | None = None,
) -> tuple[ReviewFlag, ...]:
    """One flag per question answered with a firing answer, in question order.

    An unanswered question (or an answer outside yes/no/unsure) is flagged as "unanswered" so a
    missing answer is never read as a reassuring one.
    """
    flags = []
    for question in questions or load_questions():
        answer = answers.get(question.id, "")
        answer = answer if answer in ANSWERS else UNANSWERED
        if answer == UNANSWERED or answer in question.flag_on:
            flags.append(
                ReviewFlag(
                    id=question.id,
                    answer=answer,
                    reason=f"{_(ANSWER_PHRASES[answer])}: {question.flag_in(phrases.current())}",
                    label_contraindication=question.label_contraindication,
                )
            )
    return tuple(flags)


def _parse_question(row: Mapping[str, Any], where: str) -> ReviewQuestion:
    flag_on = fields.strings(row, "flag_on", where)
    if not flag_on or not set(flag_on) <= set(ANSWERS):
        raise ValueError(f"{where}: 'flag_on' must list answers from {', '.join(ANSWERS)}")
    return ReviewQuestion(
        id=fields.text(row, "id", where),
        text=fields.text(row, "text", where),
        hint=fields.optional_text(row, "hint", where),
        flag=fields.text(row, "flag", where),
        flag_on=flag_on,
        label_contraindication=fields.boolean(row, "label_contraindication", where),
        source=fields.source(row, where),
        flags=translations(row, "flag"),
    )

"""What the patient sees after sending: their own answers and what happens next, in plain words.

No clinical category, band, syndrome pattern, risk level, rule verdict or contraindication: those
are for the clinician's sheet (summary.py), which the patient can print and bring. Built from the
summary already made in the patient's language, so nothing is scored or worded twice.
"""

from dataclasses import dataclass

from . import phrases
from .instruments import phq9
from .phrases import N_, _
from .questions import all_questions
from .summary import Summary

ANSWER_WORDS = {"yes": N_("Yes"), "no": N_("No"), "unsure": N_("Not sure")}
NOT_ANSWERED = N_("Not answered")


@dataclass(frozen=True)
class PlainAnswer:
    question: str
    answer: str


@dataclass(frozen=True)
class PlainSummary:
    total: int | None
    phq9_stem: str  # "Over the last 2 weeks, how often have you been bothered by ...?"
    phq9: tuple[PlainAnswer, ...]  # items 1-9 and, when asked, the difficulty question
    safety: tuple[PlainAnswer, ...]  # the safety questions that were asked
    medicines: tuple[PlainAnswer, ...]  # each medicine named, and whether still taken
    health: tuple[PlainAnswer, ...]  # health questions answered "yes" or "not sure"
    safety_flagged: bool


def for_patient(summary: Summary, language: str) -> PlainSummary:
    """The patient's own answers from `summary` (built in `language`), worded in `language`."""
    with phrases.in_language(language):
        questions = all_questions(language)
        rows = [*summary.items, *([summary.difficulty] if summary.difficulty else [])]
        return PlainSummary(
            total=summary.phq9.total,
            phq9_stem=phq9(language).stem,
            phq9=tuple(PlainAnswer(row.question, row.answer) for row in rows),
            safety=tuple(PlainAnswer(text, _(ANSWER_WORDS.get(answer or "", NOT_ANSWERED)))
                         for _id, text, answer in summary.safety.asq.answers),
            medicines=tuple(
                PlainAnswer(row.medicine, _("You are still taking it") if row.current
                            else _("Stopped: {reason}").format(reason=row.stopped))
                for row in summary.treatment.trials),
            health=tuple(PlainAnswer(questions[flag.id].text,
                                     _(ANSWER_WORDS.get(flag.answer, NOT_ANSWERED)))
                         for flag in summary.treatment.flags if flag.id in questions),
            safety_flagged=summary.safety.flagged,
        )

"""ASQ (NIMH Ask Suicide-Screening Questions): negative, non-acute positive or acute positive."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import phrases
from .instruments import asq
from .phrases import N_, _

NEGATIVE = "negative"
NON_ACUTE_POSITIVE = "non_acute_positive"
ACUTE_POSITIVE = "acute_positive"
NOT_ASKED = "not_asked"

CATEGORY_LABELS = {
    NEGATIVE: N_("ASQ negative screen"),
    NON_ACUTE_POSITIVE: N_("ASQ positive screen, non-acute"),
    ACUTE_POSITIVE: N_("ASQ acute positive screen (imminent risk)"),
    NOT_ASKED: N_("ASQ not asked"),
}


@dataclass(frozen=True)
class AsqResult:
    category: str
    answers: tuple[tuple[str, str, str | None], ...]
    label: str  # the category, worded when the result was built (phrases.in_language)

    @property
    def positive(self) -> bool:
        return self.category in (NON_ACUTE_POSITIVE, ACUTE_POSITIVE)

    @property
    def acute(self) -> bool:
        return self.category == ACUTE_POSITIVE


def screen_positive(answers: Mapping[str, Any]) -> bool:
    return any(answers.get(item_id) == "yes" for item_id in asq().item_ids)


def categorise(answers: Mapping[str, Any]) -> AsqResult:
    """The ASQ category, with its label and each question asked in the current summary language."""
    instrument = asq(phrases.current())
    asked = tuple(
        (item_id, text, answers.get(item_id))
        for item_id, text in instrument.items
        if answers.get(item_id) in ("yes", "no")
    )
    if not asked:
        return _result(NOT_ASKED, ())
    if not screen_positive(answers):
        return _result(NEGATIVE, asked)
    acuity = answers.get(instrument.acuity_id)
    shown = (*asked, (instrument.acuity_id, instrument.acuity_text, acuity))
    return _result(ACUTE_POSITIVE if acuity == "yes" else NON_ACUTE_POSITIVE, shown)


def _result(category: str, answers: tuple[tuple[str, str, str | None], ...]) -> AsqResult:
    return AsqResult(category, answers, _(CATEGORY_LABELS[category]))

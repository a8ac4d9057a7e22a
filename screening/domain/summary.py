"""The one-page clinician summary, assembled from a submission's answers by pure functions."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from . import asq as asq_rules
from . import phq9 as phq9_rules
from . import phrases, safety_history, treatment_summary
from .instruments import phq9
from .locales import DEFAULT_LANGUAGE
from .phrases import N_, _, ngettext
from .questions import all_questions

PATTERN_LABELS = {
    "major": N_("Responses meet the PHQ-9 screening-algorithm pattern for major depressive "
                "syndrome — requires clinical confirmation."),
    "other": N_("Responses meet the PHQ-9 screening-algorithm pattern for other depressive "
                "syndrome — requires clinical confirmation."),
    None: N_("Responses do not meet the PHQ-9 screening-algorithm pattern "
             "— clinical assessment decides."),
}


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    question: str
    answer: str
    score: int | None = None


@dataclass(frozen=True)
class Given:
    """One answer to a safety question as the patient gave it, worded, with its time (UTC)."""

    answer: str
    at: datetime


@dataclass(frozen=True)
class SafetyStatus:
    """item9 and `final` are the last answers given; `asq` and the flag come from the highest-risk
    answers ever given (safety_history.highest_risk), so a change never lowers them."""

    item9: AnswerRow
    asq: asq_rules.AsqResult
    crisis_page_shown: bool
    help_now_shown: bool
    item9_highest: int | None = None
    final: Mapping[str, str] = field(default_factory=dict)  # ASQ question id -> worded answer
    changes: Mapping[str, tuple[Given, ...]] = field(default_factory=dict)  # changed ones only
    sent_early: bool = False

    @property
    def flagged(self) -> bool:
        return self.item9_highest not in (0,) or self.asq.positive

    @property
    def level(self) -> str:
        """Queue priority: acute first, then ASQ positive, then item 9 above 0."""
        if self.asq.acute:
            return "acute"
        if self.asq.positive:
            return "asq_positive"
        if self.item9_highest:
            return "item9"
        return "none"


SAFETY_GLANCE = {
    "none": N_("None: PHQ-9 item 9 answered “Not at all”"),
    "item9": N_("PHQ-9 item 9 positive (ASQ negative)"),
    "asq_positive": N_("ASQ positive, non-acute"),
    "acute": N_("ASQ acute positive – see the safety flag below"),
}


@dataclass(frozen=True)
class AtAGlance:
    """The first box of the clinician sheet, in the order a clinician reads it. Never a diagnosis:
    each line says what was answered or which rule was met, as the detail below it does."""

    safety_level: str  # SafetyStatus.level
    safety: str
    phq9_total: int | None
    phq9_band: str
    verdict: str
    verdict_count: str  # "2 different antidepressants met the rule; 2 needed"
    verdict_if_confirmed: str  # "1 more would if its dose is confirmed", or ""
    current_medicines: tuple[str, ...]
    maudsley_total: int | None
    maudsley_band: str
    flag_count: int
    contraindication_count: int
    current: str  # the current medicines joined, or "None reported"
    flags: str  # "3 for review, 1 of them a label contraindication", or "None"


def _flags_sentence(count: int, contraindications: int) -> str:
    if not count:
        return _("None for review")
    return ngettext("{count} for review", "{count} for review", count).format(
        count=count) + ngettext(", {count} of them a label contraindication",
                                ", {count} of them label contraindications",
                                contraindications).format(count=contraindications)


def at_a_glance(
    phq9_result: phq9_rules.Phq9Result, safety: SafetyStatus,
    treatment: treatment_summary.TreatmentSummary,
) -> AtAGlance:
    """The at-a-glance values, read from the results already built (none is computed again)."""
    resistance = treatment.resistance
    current = treatment_summary.current_medicines(treatment.trials)
    return AtAGlance(
        safety_level=safety.level,
        safety=_(SAFETY_GLANCE[safety.level]),
        phq9_total=phq9_result.total,
        phq9_band=phq9_result.band.label if phq9_result.band is not None else _("not available"),
        verdict=resistance.label,
        verdict_count=treatment_summary.met_rule_sentence(resistance, separator="semicolon"),
        verdict_if_confirmed=treatment_summary.if_confirmed_sentence(resistance),
        current_medicines=current,
        current=", ".join(current) or _("None reported"),
        maudsley_total=treatment.maudsley.total,
        maudsley_band=treatment.maudsley.band_label,
        flag_count=len(treatment.flags),
        contraindication_count=len(treatment.contraindication_flags),
        flags=_flags_sentence(len(treatment.flags), len(treatment.contraindication_flags)),
    )


@dataclass(frozen=True)
class Summary:
    phq9: phq9_rules.Phq9Result
    items: tuple[AnswerRow, ...]
    difficulty: AnswerRow | None
    safety: SafetyStatus
    pattern_sentence: str
    instrument_version: str
    copyright: str
    treatment: treatment_summary.TreatmentSummary
    glance: AtAGlance


def answer_row(question_id: str, answers: Mapping[str, Any]) -> AnswerRow:
    question = all_questions(phrases.current())[question_id]
    value = answers.get(question_id)
    label = question.option_label(value) if question.options else value
    digits = str(value)
    score = int(digits) if question_id.startswith("phq9_") and digits.isdigit() else None
    return AnswerRow(question_id, question.text, label or _("Not answered"), score)


def build(
    answers: Mapping[str, Any], as_of: date | None = None, language: str = DEFAULT_LANGUAGE
) -> Summary:
    """as_of: the day the questionnaire was completed, for the episode length.

    language: the wording of every question, answer, label and sentence (the patient's page is in
    the patient's language, the clinician print in the clinic's); the findings are the same in
    each. The summary carries finished strings: rendering it later, in any language block or none,
    never translates it again.
    """
    with phrases.in_language(language):
        return _build(answers, as_of)


def _build(answers: Mapping[str, Any], as_of: date | None) -> Summary:
    result = phq9_rules.score(answers)
    instrument = phq9(phrases.current())
    if result.band is not None:  # the same band, named in the summary's language
        result = replace(result, band=next(b for b in instrument.bands if b.id == result.band.id))
    difficulty = (
        answer_row(instrument.difficulty_id, answers)
        if instrument.difficulty_id in answers
        else None
    )
    safety = safety_status(answers)
    treatment = treatment_summary.build(answers, result.total, as_of or date.today())
    return Summary(
        phq9=result,
        items=tuple(answer_row(item_id, answers) for item_id in instrument.item_ids),
        difficulty=difficulty,
        safety=safety,
        pattern_sentence=_(PATTERN_LABELS[result.pattern]),
        instrument_version=instrument.version,
        copyright=instrument.copyright,
        treatment=treatment,
        glance=at_a_glance(result, safety, treatment),
    )


def safety_status(answers: Mapping[str, Any]) -> SafetyStatus:
    """The safety block: the final answers, the highest-risk ones for the flag, and every change
    with its time (DESIGN.md §2, "Safety answers keep their history")."""
    highest = safety_history.highest_risk(answers)
    latest = safety_history.latest_answers(answers)
    score = highest.get(phq9_rules.SAFETY_ITEM)
    questions = safety_history.tracked_questions()
    return SafetyStatus(
        item9=answer_row(phq9_rules.SAFETY_ITEM, {**answers, **latest}),
        asq=asq_rules.categorise(highest),
        crisis_page_shown=answers.get("safety_seen") == "yes"
        or safety_history.happened(answers, safety_history.CRISIS_PAGE_SHOWN),
        help_now_shown=answers.get("help_now_seen") == "yes"
        or safety_history.happened(answers, safety_history.HELP_NOW_SHOWN),
        item9_highest=int(score) if score is not None else None,
        final={q: _yes_no(v) for q, v in latest.items() if q != phq9_rules.SAFETY_ITEM},
        changes={q: tuple(Given(_worded(q, v), at) for v, at in trail)
                 for q, trail in safety_history.item_changes(answers, questions).items()},
        sent_early=answers.get(safety_history.SENT_EARLY_KEY) == "yes",
    )


def _yes_no(value: str) -> str:
    return {"yes": _("Yes"), "no": _("No")}.get(value, _("Not answered"))


def _worded(question_id: str, value: str) -> str:
    if question_id != phq9_rules.SAFETY_ITEM:
        return _yes_no(value)
    row = answer_row(question_id, {question_id: value})
    return f"{row.answer} ({row.score})" if row.score is not None else row.answer

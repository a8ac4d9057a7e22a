"""The treatment-history part of the clinician summary: trials, verdict, Maudsley, flags."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import phrases
from .maudsley import MaudsleyEstimate, maudsley_estimate
from .phrases import _
from .questions import all_questions
from .resistance import ResistanceAssessment, assess_history, failed_antidepressant_count
from .resistance_rules import load_rules
from .review_flags import ReviewFlag, load_questions, review_flags
from .trial import Trial
from .trial_checks import DoseStatus, TrialFinding

AUGMENTATIONS = ("lithium", "antipsychotic", "thyroid", "second_antidepressant", "other")


@dataclass(frozen=True)
class TrialRow:
    medicine: str
    episode: str
    dose: str
    weeks: str
    adherence: str
    response: str
    stopped: str
    adequate: str
    counts: bool
    reason: str


@dataclass(frozen=True)
class OtherTreatment:
    name: str
    answer: str


@dataclass(frozen=True)
class TreatmentSummary:
    episode: str
    earlier_episodes: str
    trials: tuple[TrialRow, ...]
    resistance: ResistanceAssessment
    maudsley: MaudsleyEstimate
    other_treatments: tuple[OtherTreatment, ...]
    flags: tuple[ReviewFlag, ...]

    @property
    def contraindication_flags(self) -> tuple[ReviewFlag, ...]:
        return tuple(f for f in self.flags if f.label_contraindication)


def _label(question_id: str, value: object) -> str:
    return all_questions(phrases.current())[question_id].option_label(value) or "—"


def episode_months(answers: Mapping[str, Any], as_of: date) -> int | str | None:
    """Months since the episode began, or the range answer when the month is unknown."""
    year, month = answers.get("episode_year"), answers.get("episode_month")
    if year and month and str(year).isdigit() and str(month).isdigit():
        return max(0, (as_of.year - int(year)) * 12 + as_of.month - int(month))
    return answers.get("episode_range") or None


def episode_text(answers: Mapping[str, Any], as_of: date) -> str:
    months = episode_months(answers, as_of)
    if isinstance(months, int):
        return _("Began {month} {year} (about {months} months before this questionnaire)").format(
            month=_label("episode_month", answers["episode_month"]),
            year=answers["episode_year"], months=months)
    if months:
        return _("Began {when} (month not known)").format(
            when=_label("episode_range", months).lower())
    return _("Not answered")


def trial_row(finding: TrialFinding, entry: Mapping[str, Any]) -> TrialRow:
    trial = finding.trial
    name = trial.other_name if trial.is_other else _label("medicine", trial.medicine)
    adequate = _adequacy(finding)
    return TrialRow(
        medicine=_("{name} (other)").format(name=name) if trial.is_other else name,
        episode=_label("this_episode", trial.this_episode),
        dose=f"{trial.dose_mg:g} mg" if trial.dose_mg is not None else _("Not known"),
        weeks=f"{trial.weeks:g}" if trial.weeks is not None else _("Not known"),
        adherence=_label("adherence", trial.adherence).replace("On ", ""),
        response=_label("response", trial.response),
        stopped=_label("stopped", trial.stopped),
        adequate=adequate,
        counts=finding.qualifies or finding.qualifies_if_dose_confirmed,
        reason=finding.reason,
    )


def _adequacy(finding: TrialFinding) -> str:
    """Adequate trial = long enough, taken as prescribed, at or above the minimum dose."""
    if not (finding.duration.met and finding.adherence.met):
        return _("No")
    if finding.dose.status == DoseStatus.ADEQUATE:
        return _("Yes")
    if finding.dose.status == DoseStatus.BELOW_MINIMUM:
        return _("No")
    return _("Dose unconfirmed")


def other_treatments(answers: Mapping[str, Any]) -> tuple[OtherTreatment, ...]:
    rows = [OtherTreatment(_("Augmentation or combination"),
                           _label("augmentation", answers.get("augmentation", [])))]
    if answers.get("psychotherapy") == "yes":
        detail = ", ".join(_label(q, answers.get(q)) for q in
                           ("psychotherapy_type", "psychotherapy_sessions",
                            "psychotherapy_response"))
        rows.append(OtherTreatment(_("Talking therapy"), _("Yes – {detail}").format(detail=detail)))
    else:
        rows.append(OtherTreatment(_("Talking therapy"), _label("psychotherapy",
                                                                answers.get("psychotherapy"))))
    rows.append(OtherTreatment(_("ECT"), _label("ect", answers.get("ect"))))
    rows.append(OtherTreatment(_("TMS"), _label("tms", answers.get("tms"))))
    ketamine = _label("ketamine_before", answers.get("ketamine_before"))
    if answers.get("ketamine_response"):
        ketamine += _(" – helped: {answer}").format(
            answer=_label("ketamine_response", answers["ketamine_response"]))
    rows.append(OtherTreatment(_("Earlier ketamine or esketamine"), ketamine))
    return tuple(rows)


def build(answers: Mapping[str, Any], phq9_total: int | None, as_of: date) -> TreatmentSummary:
    entries = list(answers.get("trials", []))
    trials = [Trial.from_answers(entry) for entry in entries]
    rules = load_rules()
    resistance = assess_history(trials, rules)
    findings = {id(f.trial): f for f in (*resistance.findings,
                                         *resistance.earlier_episode_findings)}
    rows = tuple(trial_row(findings[id(t)], e) for t, e in zip(trials, entries, strict=True)
                 if id(t) in findings)
    augmentation = set(answers.get("augmentation", [])) & set(AUGMENTATIONS)
    estimate = maudsley_estimate(
        episode_duration=episode_months(answers, as_of),
        phq9_total=phq9_total,
        failed_antidepressants=failed_antidepressant_count(trials, rules),
        augmentation=bool(augmentation),
        ect=answers.get("ect") == "yes",
    )
    medical = {q.id: answers.get(q.id, "") for q in load_questions()}
    return TreatmentSummary(
        episode=episode_text(answers, as_of),
        earlier_episodes=_label("earlier_episodes", answers.get("earlier_episodes")),
        trials=rows,
        resistance=resistance,
        maudsley=estimate,
        other_treatments=other_treatments(answers),
        flags=review_flags(medical),
    )


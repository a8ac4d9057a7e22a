"""Possible treatment-resistant pattern from a patient's antidepressant trials, with reasons.

Rule: DESIGN.md §3 "Treatment resistance"; definitions and thresholds in
shared/reference/clinical.md §3.1, §3.6, §3.7, read from data/resistance_rules.toml. Never a
diagnosis: the result is a possible pattern for clinician assessment.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .resistance_rules import ResistanceRules
from .trial import Trial
from .trial_checks import TrialFinding, assess_trial, response_check


class Verdict(StrEnum):
    POSSIBLE_TRD = "possible_trd"
    POSSIBLE_DOSE_UNCONFIRMED = "possible_dose_unconfirmed"
    NOT_MET = "not_met"


VERDICT_LABELS = {
    Verdict.POSSIBLE_TRD: "Possible treatment-resistant pattern — for clinician assessment",
    Verdict.POSSIBLE_DOSE_UNCONFIRMED: (
        "Possible pattern, dose unconfirmed — for clinician assessment"
    ),
    Verdict.NOT_MET: "Pattern not met",
}


@dataclass(frozen=True)
class ResistanceAssessment:
    verdict: Verdict
    label: str
    reason: str
    rule_sentence: str
    required_count: int
    qualifying_count: int
    qualifying_medicines: tuple[str, ...]
    count_if_doses_confirmed: int
    medicines_if_doses_confirmed: tuple[str, ...]
    findings: tuple[TrialFinding, ...]  # current episode, or unsure which episode
    earlier_episode_findings: tuple[TrialFinding, ...]


def assess_history(trials: Iterable[Trial], rules: ResistanceRules) -> ResistanceAssessment:
    """Verdict over all trials: distinct medicines with qualifying current-episode trials."""
    findings = tuple(assess_trial(trial, rules) for trial in trials)
    current = tuple(f for f in findings if f.trial.this_episode != "no")
    qualifying = _distinct_medicines(f.trial for f in current if f.qualifies)
    if_confirmed = _distinct_medicines(f.trial for f in current if f.qualifies_if_dose_confirmed)
    needed = rules.min_different_antidepressants.value
    if len(qualifying) >= needed:
        verdict = Verdict.POSSIBLE_TRD
    elif len(if_confirmed) >= needed:
        verdict = Verdict.POSSIBLE_DOSE_UNCONFIRMED
    else:
        verdict = Verdict.NOT_MET
    return ResistanceAssessment(
        verdict=verdict,
        label=VERDICT_LABELS[verdict],
        reason=_verdict_reason(qualifying, if_confirmed, needed),
        rule_sentence=rule_sentence(rules),
        required_count=needed,
        qualifying_count=len(qualifying),
        qualifying_medicines=qualifying,
        count_if_doses_confirmed=len(if_confirmed),
        medicines_if_doses_confirmed=if_confirmed,
        findings=current,
        earlier_episode_findings=tuple(f for f in findings if f.trial.this_episode == "no"),
    )


def failed_antidepressant_count(trials: Iterable[Trial], rules: ResistanceRules) -> int:
    """Different medicines in the current episode that helped less than the response threshold.

    Counts trials of any dose, duration or adherence, as the Maudsley Staging Method counts failed
    medications (clinical.md §3.2); the adequacy rule above is stricter.
    """
    failed = (
        trial
        for trial in trials
        if trial.this_episode == "yes" and response_check(trial, rules).inadequate
    )
    return len(_distinct_medicines(failed))


def rule_sentence(rules: ResistanceRules) -> str:
    """The rule in one sentence, with every threshold read from the rules file."""
    return (
        f"At least {rules.min_different_antidepressants.value} different antidepressants in the"
        f" current episode, each taken for at least {rules.min_weeks.value} weeks on"
        f" {rules.adequate_days} days at or above the minimum dose, with less than"
        f" {rules.nonresponse_below_percent.value} % improvement"
        f" ({rules.definition.value}; thresholds from the clinic's rules file)."
    )


def _distinct_medicines(trials: Iterable[Trial]) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for trial in trials:
        names.setdefault(trial.medicine_key, trial.medicine_name)
    return tuple(names.values())


def _verdict_reason(qualifying: tuple[str, ...], if_confirmed: tuple[str, ...], needed: int) -> str:
    reason = f"{_medicines(qualifying)} met every part of the rule; at least {needed} needed"
    if len(if_confirmed) > len(qualifying):
        reason += f"; {_medicines(if_confirmed)} would if the unconfirmed doses are adequate"
    return reason[0].upper() + reason[1:] + "."


def _medicines(names: tuple[str, ...]) -> str:
    count = f"{len(names)} different antidepressant{'' if len(names) == 1 else 's'}"
    return f"{count} ({', '.join(names)})" if names else count

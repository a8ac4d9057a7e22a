"""Possible treatment-resistant pattern from a patient's antidepressant trials, with reasons.

Rule: DESIGN.md §3 "Treatment resistance"; definitions and thresholds in
shared/reference/clinical.md §3.1, §3.6, §3.7, read from data/resistance_rules.toml. Never a
diagnosis: the result is a possible pattern for clinician assessment.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from . import phrases
from .phrases import N_, _, ngettext
from .resistance_rules import ResistanceRules
from .trial import Trial
from .trial_checks import TrialFinding, assess_trial, days_phrase, response_check


class Verdict(StrEnum):
    POSSIBLE_TRD = "possible_trd"
    POSSIBLE_DOSE_UNCONFIRMED = "possible_dose_unconfirmed"
    NOT_MET = "not_met"


VERDICT_LABELS = {
    Verdict.POSSIBLE_TRD: N_("Possible treatment-resistant pattern — for clinician assessment"),
    Verdict.POSSIBLE_DOSE_UNCONFIRMED: N_(
        "Possible pattern, dose unconfirmed — for clinician assessment"
    ),
    Verdict.NOT_MET: N_("Pattern not met"),
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
        label=_(VERDICT_LABELS[verdict]),
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
    return _(
        "At least {count} different antidepressants in the current episode, each taken for at"
        " least {weeks} weeks on {days} at or above the minimum dose, with less than {percent}"
        " improvement ({definition}; thresholds from the clinic's rules file)."
    ).format(
        count=rules.min_different_antidepressants.value, weeks=rules.min_weeks.value,
        days=days_phrase(rules.adequate_adherence.value),
        percent=f"{rules.nonresponse_below_percent.value} %",
        definition=rules.definition.text_in(phrases.current()),
    )


def _distinct_medicines(trials: Iterable[Trial]) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for trial in trials:
        names.setdefault(trial.medicine_key, trial.medicine_name)
    return tuple(names.values())


def _verdict_reason(qualifying: tuple[str, ...], if_confirmed: tuple[str, ...], needed: int) -> str:
    reason = ngettext(
        "{medicines} met every part of the rule; at least {needed} needed",
        "{medicines} met every part of the rule; at least {needed} needed", len(qualifying),
    ).format(medicines=_medicines(qualifying), needed=needed)
    if len(if_confirmed) > len(qualifying):
        reason += ngettext(
            "; {medicines} would if the unconfirmed doses are adequate",
            "; {medicines} would if the unconfirmed doses are adequate", len(if_confirmed),
        ).format(medicines=_medicines(if_confirmed))
    return reason[0].upper() + reason[1:] + "."


def _medicines(names: tuple[str, ...]) -> str:
    count = ngettext("{count} different antidepressant", "{count} different antidepressants",
                     len(names)).format(count=len(names))
    return f"{count} ({', '.join(names)})" if names else count

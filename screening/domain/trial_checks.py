"""Check one reported antidepressant trial against each part of the treatment-resistance rule.

Rule: DESIGN.md §3 "Treatment resistance"; thresholds from data/resistance_rules.toml
(shared/reference/clinical.md §3.1, §3.6, §3.7). Each check carries a one-line reason for the
clinician summary.
"""

from dataclasses import dataclass
from enum import StrEnum

from .resistance_rules import ResistanceRules
from .trial import Trial


class DoseStatus(StrEnum):
    ADEQUATE = "adequate"
    BELOW_MINIMUM = "below_minimum"
    UNKNOWN = "unknown"
    NO_MINIMUM = "no_minimum"


@dataclass(frozen=True)
class Check:
    met: bool
    reason: str


@dataclass(frozen=True)
class DoseCheck:
    status: DoseStatus
    reason: str
    note: str = ""


@dataclass(frozen=True)
class ResponseCheck:
    inadequate: bool  # below the rules' nonresponse threshold (< 50 %)
    strict_nonresponse: bool  # at or below the stricter regulatory threshold (≤ 25 %), for display
    reason: str


@dataclass(frozen=True)
class TrialFinding:
    trial: Trial
    current_episode: Check
    duration: Check
    adherence: Check
    dose: DoseCheck
    response: ResponseCheck
    qualifies: bool
    qualifies_if_dose_confirmed: bool  # true also when the dose is confirmed adequate
    reason: str


def assess_trial(trial: Trial, rules: ResistanceRules) -> TrialFinding:
    """Check one trial against every part of the rule and say why it does or does not count."""
    episode = _episode_check(trial)
    duration = _duration_check(trial, rules)
    adherence = _adherence_check(trial, rules)
    dose = _dose_check(trial, rules)
    response = response_check(trial, rules)
    rest_met = episode.met and duration.met and adherence.met and response.inadequate
    qualifies = rest_met and dose.status is DoseStatus.ADEQUATE
    if_confirmed = rest_met and dose.status is not DoseStatus.BELOW_MINIMUM
    if qualifies:
        reason = "Counts toward the pattern."
    elif if_confirmed:
        reason = f"Counts only if the dose is confirmed adequate: {dose.reason}."
    else:
        failed = [c.reason for c in (episode, duration, adherence) if not c.met]
        failed += [] if response.inadequate else [response.reason]
        failed += [dose.reason] if dose.status is DoseStatus.BELOW_MINIMUM else []
        reason = f"Does not count: {'; '.join(failed)}."
    return TrialFinding(
        trial, episode, duration, adherence, dose, response, qualifies, if_confirmed, reason
    )


def _episode_check(trial: Trial) -> Check:
    not_counted = "listed, but only current-episode trials count"
    if trial.this_episode == "yes":
        return Check(True, "in the current episode")
    if trial.this_episode == "unsure":
        return Check(
            False, f"patient unsure whether this was in the current episode — {not_counted}"
        )
    if trial.this_episode == "no":
        return Check(False, f"in an earlier episode — {not_counted}")
    return Check(False, "episode not answered — not counted")


def _duration_check(trial: Trial, rules: ResistanceRules) -> Check:
    needed = rules.min_weeks.value
    if trial.weeks is None:
        return Check(False, f"number of weeks not known — duration not confirmed ({needed} needed)")
    if trial.weeks >= needed:
        return Check(True, f"taken for {_weeks(trial.weeks)} (at least {needed} needed)")
    return Check(False, f"taken for {_weeks(trial.weeks)} — fewer than the {needed} needed")


def _adherence_check(trial: Trial, rules: ResistanceRules) -> Check:
    needed = f"{rules.adequate_days} days needed"
    if not trial.adherence:
        return Check(False, f"how often it was taken was not answered — {needed}")
    if trial.adherence in rules.adequate_adherence.value:
        return Check(True, f"taken on {trial.adherence} days ({needed})")
    return Check(False, f"taken on {trial.adherence} days only — {needed}")


def _dose_check(trial: Trial, rules: ResistanceRules) -> DoseCheck:
    name = trial.medicine_name
    minimum = None if trial.is_other else rules.dose_minimum(trial.medicine)
    if minimum is None:
        kind = (
            "free-text medicine, to be confirmed as an antidepressant; " if trial.is_other else ""
        )
        return DoseCheck(
            DoseStatus.NO_MINIMUM,
            f"{kind}no minimum dose on file for {name} — dose not checked (dose unconfirmed)",
        )
    floor = f"the {_mg(minimum.min_mg_per_day)} minimum on file for {name}"
    if trial.dose_mg is None:
        reason = f"dose not known — adequacy of dose unconfirmed ({floor})"
        return DoseCheck(DoseStatus.UNKNOWN, reason, minimum.note)
    if trial.dose_mg >= minimum.min_mg_per_day:
        reason = f"{_mg(trial.dose_mg)}, at or above {floor}"
        return DoseCheck(DoseStatus.ADEQUATE, reason, minimum.note)
    reason = f"{_mg(trial.dose_mg)}, below {floor}"
    return DoseCheck(DoseStatus.BELOW_MINIMUM, reason, minimum.note)


def response_check(trial: Trial, rules: ResistanceRules) -> ResponseCheck:
    """Whether the reported improvement is below the nonresponse threshold, and the stricter one."""
    band = rules.response_band(trial.response)
    if band is None:
        return ResponseCheck(False, False, "how much it helped was not answered — not counted")
    below = rules.nonresponse_below_percent.value
    strict_limit = rules.strict_nonresponse_at_or_below_percent.value
    inadequate = band.max_percent < below
    strict = band.max_percent <= strict_limit
    if not inadequate:
        return ResponseCheck(False, strict, f"{band.meaning} — {below} % or more improvement")
    stricter = "meets" if strict else "does not meet"
    reason = f"{band.meaning} — less than {below} % improvement ({stricter} the stricter"
    return ResponseCheck(True, strict, f"{reason} ≤ {strict_limit} % rule)")


def _weeks(weeks: float) -> str:
    return f"{weeks:g} week{'' if weeks == 1 else 's'}"


def _mg(dose: float) -> str:
    return f"{dose:g} mg/day"

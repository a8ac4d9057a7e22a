"""Check one reported antidepressant trial against each part of the treatment-resistance rule.

Rule: DESIGN.md §3 "Treatment resistance"; thresholds from data/resistance_rules.toml
(shared/reference/clinical.md §3.1, §3.6, §3.7). Each check carries a one-line reason for the
clinician summary, in the summary language (phrases.in_language; English by default).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from . import phrases
from .locales import DEFAULT_LANGUAGE
from .phrases import N_, _, ngettext
from .resistance_rules import ResistanceRules
from .trial import Trial

# How often a medicine was taken, as the adherence answers say it ("taken on most days").
ADHERENCE_DAYS = {"all": N_("all days"), "most": N_("most days"), "some": N_("some days"),
                  "rarely": N_("few days, or not sure")}


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
        reason = _("Counts toward the pattern.")
    elif if_confirmed:
        reason = _("Counts only if the dose is confirmed adequate: {reason}.").format(
            reason=dose.reason)
    else:
        failed = [c.reason for c in (episode, duration, adherence) if not c.met]
        failed += [] if response.inadequate else [response.reason]
        failed += [dose.reason] if dose.status is DoseStatus.BELOW_MINIMUM else []
        reason = _("Does not count: {reasons}.").format(reasons="; ".join(failed))
    return TrialFinding(
        trial, episode, duration, adherence, dose, response, qualifies, if_confirmed, reason
    )


def _episode_check(trial: Trial) -> Check:
    not_counted = _("listed, but only current-episode trials count")
    if trial.this_episode == "yes":
        return Check(True, _("in the current episode"))
    if trial.this_episode == "unsure":
        return Check(False, _(
            "patient unsure whether this was in the current episode — {not_counted}"
        ).format(not_counted=not_counted))
    if trial.this_episode == "no":
        return Check(False, _("in an earlier episode — {not_counted}").format(
            not_counted=not_counted))
    return Check(False, _("episode not answered — not counted"))


def _duration_check(trial: Trial, rules: ResistanceRules) -> Check:
    needed = rules.min_weeks.value
    if trial.weeks is None:
        return Check(False, _(
            "number of weeks not known — duration not confirmed ({needed} needed)"
        ).format(needed=needed))
    if trial.weeks >= needed:
        return Check(True, _("taken for {weeks} (at least {needed} needed)").format(
            weeks=_weeks(trial.weeks), needed=needed))
    return Check(False, _("taken for {weeks} — fewer than the {needed} needed").format(
        weeks=_weeks(trial.weeks), needed=needed))


def days_phrase(answers: Iterable[str]) -> str:
    """Adherence answers as days: "all or most days" ("todos los días o la mayoría de los días")."""
    answers = tuple(answers)
    if phrases.current() == DEFAULT_LANGUAGE and "rarely" not in answers:
        return f"{' or '.join(answers)} days"
    if phrases.current() == DEFAULT_LANGUAGE:
        return " or ".join(ADHERENCE_DAYS.get(a, a) for a in answers)
    return _(" or ").join(_(ADHERENCE_DAYS[a]) if a in ADHERENCE_DAYS else a for a in answers)


def _adherence_check(trial: Trial, rules: ResistanceRules) -> Check:
    needed = _("{days} needed").format(days=days_phrase(rules.adequate_adherence.value))
    if not trial.adherence:
        return Check(False, _("how often it was taken was not answered — {needed}").format(
            needed=needed))
    days = days_phrase([trial.adherence])
    if trial.adherence in rules.adequate_adherence.value:
        return Check(True, _("taken on {days} ({needed})").format(days=days, needed=needed))
    return Check(False, _("taken on {days} only — {needed}").format(days=days, needed=needed))


def _dose_check(trial: Trial, rules: ResistanceRules) -> DoseCheck:
    name = trial.medicine_name
    minimum = None if trial.is_other else rules.dose_minimum(trial.medicine)
    if minimum is None:
        kind = (
            _("free-text medicine, to be confirmed as an antidepressant; ")
            if trial.is_other else ""
        )
        return DoseCheck(
            DoseStatus.NO_MINIMUM,
            _("{kind}no minimum dose on file for {name} — dose not checked (dose unconfirmed)"
              ).format(kind=kind, name=name),
        )
    floor = _("the {dose} minimum on file for {name}").format(
        dose=_mg(minimum.min_mg_per_day), name=name)
    if trial.dose_mg is None:
        reason = _("dose not known — adequacy of dose unconfirmed ({floor})").format(floor=floor)
        return DoseCheck(DoseStatus.UNKNOWN, reason, minimum.note)
    if trial.dose_mg >= minimum.min_mg_per_day:
        reason = _("{dose}, at or above {floor}").format(dose=_mg(trial.dose_mg), floor=floor)
        return DoseCheck(DoseStatus.ADEQUATE, reason, minimum.note)
    reason = _("{dose}, below {floor}").format(dose=_mg(trial.dose_mg), floor=floor)
    return DoseCheck(DoseStatus.BELOW_MINIMUM, reason, minimum.note)


def response_check(trial: Trial, rules: ResistanceRules) -> ResponseCheck:
    """Whether the reported improvement is below the nonresponse threshold, and the stricter one."""
    band = rules.response_band(trial.response)
    if band is None:
        return ResponseCheck(False, False, _("how much it helped was not answered — not counted"))
    below = rules.nonresponse_below_percent.value
    strict_limit = rules.strict_nonresponse_at_or_below_percent.value
    inadequate = band.max_percent < below
    strict = band.max_percent <= strict_limit
    meaning = band.meaning_in(phrases.current())
    # Percentages are passed in with their sign: a literal percent sign in a message would read
    # as a printf placeholder to the catalogue tools.
    if not inadequate:
        return ResponseCheck(False, strict, _("{meaning} — {below} or more improvement").format(
            meaning=meaning, below=f"{below} %"))
    if strict:
        reason = _("{meaning} — less than {below} improvement (meets the stricter ≤ {limit} rule)")
    else:
        reason = _("{meaning} — less than {below} improvement (does not meet the stricter "
                   "≤ {limit} rule)")
    return ResponseCheck(True, strict, reason.format(meaning=meaning, below=f"{below} %",
                                                     limit=f"{strict_limit} %"))


def _weeks(weeks: float) -> str:
    return ngettext("{weeks} week", "{weeks} weeks", 1 if weeks == 1 else 2).format(
        weeks=f"{weeks:g}")


def _mg(dose: float) -> str:
    return _("{dose} mg/day").format(dose=f"{dose:g}")

"""The treatment-history part of the clinician summary: trials, verdict, Maudsley, flags."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import phrases
from .maudsley import MaudsleyEstimate, maudsley_estimate
from .phrases import _, ngettext
from .questions import all_questions
from .resistance import ResistanceAssessment, assess_history, failed_antidepressant_count
from .resistance_rules import load_rules
from .review_flags import ReviewFlag, load_questions, review_flags
from .trial import Trial
from .trial_checks import DoseStatus, TrialFinding

CURRENT = "still"  # the `stopped` answer "I am still taking it"
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
    counts: bool  # meets every part of the rule, and is the first such row for this medicine
    reason: str

    @property
    def response_parts(self) -> tuple[str, str]:
        """("A little", " – less than a quarter better"): the print shows the first part only."""
        head, dash, tail = self.response.partition(" – ")
        return (head, dash + tail)

    counts_if_dose_confirmed: bool = False  # would count if the unknown dose were confirmed
    same_as_earlier: bool = False  # a medicine already in an earlier row: counted once
    current: bool = False  # "I am still taking it"
    mark: str = ""  # what this row adds to the count, in a few words
    note: str = ""  # why it does not count, or that it repeats a medicine; empty when it counts


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
    met_rule: str = ""  # "3 different antidepressants met the rule (2 needed)"
    if_confirmed: str = ""  # "1 more would if its dose is confirmed", or ""
    response_key: str = ""  # the "Helped" answers in full, for the print's one-word column

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


def trial_row(
    finding: TrialFinding, entry: Mapping[str, Any], seen: frozenset[str] = frozenset(),
    counted: frozenset[str] = frozenset(),
) -> TrialRow:
    """One table row. seen: medicines in earlier rows; counted: medicines already counted."""
    trial = finding.trial
    key = trial.medicine_key
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
        counts=finding.qualifies and key not in counted,
        reason=finding.reason,
        counts_if_dose_confirmed=(finding.qualifies_if_dose_confirmed and not finding.qualifies
                                  and key not in counted),
        same_as_earlier=key in seen,
        current=trial.stopped == CURRENT,
        **_mark_and_note(finding, counted=key in counted, repeated=key in seen),
    )


def _mark_and_note(finding: TrialFinding, *, counted: bool, repeated: bool) -> dict[str, str]:
    """Never "counts" on an unknown dose; a repeated medicine says it is counted once."""
    floor = None if finding.trial.is_other else load_rules().dose_minimum(finding.trial.medicine)
    minimum = _("{dose} mg/day").format(dose=f"{floor.min_mg_per_day:g}") if floor else None
    if repeated:
        note = _("Same medicine as an earlier row: counted once.")
    elif finding.qualifies:
        note = ""
    elif finding.dose.status is DoseStatus.UNKNOWN and minimum is not None:
        note = _("Dose not known; the minimum on file is {dose}.").format(dose=minimum)
    elif finding.qualifies_if_dose_confirmed:  # the mark says it would count: say why not yet
        note = finding.dose.reason[0].upper() + finding.dose.reason[1:] + "."
    else:
        note = finding.reason
    if finding.qualifies and not counted:
        mark = _("✔ counts")
    elif finding.qualifies_if_dose_confirmed and not finding.qualifies and not counted:
        mark = _("would count if the dose is confirmed")
    else:
        mark = ""
    return {"mark": mark, "note": note}


def trial_rows(findings: Sequence[TrialFinding], entries: Sequence[Mapping[str, Any]]
               ) -> tuple[TrialRow, ...]:
    """The table in the order given: a medicine repeated is marked and counted once."""
    rows: list[TrialRow] = []
    seen: set[str] = set()
    counted: set[str] = set()
    for finding, entry in zip(findings, entries, strict=True):
        row = trial_row(finding, entry, frozenset(seen), frozenset(counted))
        key = finding.trial.medicine_key
        seen.add(key)
        if row.counts:
            counted.add(key)
        rows.append(row)
    return tuple(rows)


def met_rule_sentence(resistance: ResistanceAssessment, separator: str = "brackets") -> str:
    """ "3 different antidepressants met the rule (2 needed)", or "...; 2 needed" (at a glance)."""
    count, needed = resistance.qualifying_count, resistance.required_count
    if separator == "brackets":
        sentence = ngettext("{count} different antidepressant met the rule ({needed} needed)",
                            "{count} different antidepressants met the rule ({needed} needed)",
                            count)
    else:
        sentence = ngettext("{count} different antidepressant met the rule; {needed} needed",
                            "{count} different antidepressants met the rule; {needed} needed",
                            count)
    return sentence.format(count=count, needed=needed)


def if_confirmed_sentence(resistance: ResistanceAssessment) -> str:
    """How many more would meet it if the unknown doses were confirmed; empty when none."""
    more = resistance.count_if_doses_confirmed - resistance.qualifying_count
    if more <= 0:
        return ""
    return ngettext("{more} more would if its dose is confirmed",
                    "{more} more would if their doses are confirmed", more).format(more=more)


def response_key(rows: Iterable[TrialRow]) -> str:
    """The answers to "How much did it help?" used in the table, in full ("A little – less than a
    quarter better; ..."), so the printed column can show the first words only."""
    used = dict.fromkeys(row.response for row in rows if row.response_parts[1])
    return "; ".join(used)


def current_medicines(rows: Iterable[TrialRow]) -> tuple[str, ...]:
    """The medicines the patient is still taking, each once, in table order."""
    return tuple(dict.fromkeys(row.medicine for row in rows if row.current))


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
    kept = [(findings[id(t)], e) for t, e in zip(trials, entries, strict=True) if id(t) in findings]
    rows = trial_rows([f for f, _e in kept], [e for _f, e in kept])
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
        met_rule=met_rule_sentence(resistance),
        if_confirmed=if_confirmed_sentence(resistance),
        response_key=response_key(rows),
    )


"""Possible treatment-resistant pattern: per-trial checks and the verdict over a history."""

import dataclasses

import pytest

from screening.domain.resistance import (
    Verdict,
    assess_history,
    failed_antidepressant_count,
    rule_sentence,
)
from screening.domain.resistance_rules import load_rules
from screening.domain.trial import Trial
from screening.domain.trial_checks import DoseStatus, assess_trial

RULES = load_rules()
DIAGNOSTIC_PHRASES = ("you have", "diagnosed with", "not eligible", "you qualify", "eligible")


def trial(**answers: str) -> Trial:
    """A trial that meets every part of the rule (sertraline 50 mg, 6 weeks), changed by answers."""
    stored = {
        "medicine": "sertraline",
        "other_name": "",
        "this_episode": "yes",
        "dose_mg": "50",
        "dose_unknown": "",
        "weeks": "6",
        "weeks_unknown": "",
        "adherence": "most",
        "response": "little",
        "stopped": "not_helping",
    }
    return Trial.from_answers(stored | answers)


def fluoxetine(**answers: str) -> Trial:
    """A second, different medicine that also meets every part of the rule (fluoxetine 20 mg)."""
    return trial(**({"medicine": "fluoxetine", "dose_mg": "20"} | answers))


def other(name: str, **answers: str) -> Trial:
    return trial(medicine="other", other_name=name, dose_mg="", **answers)


OK, LOW = DoseStatus.ADEQUATE, DoseStatus.BELOW_MINIMUM
UNKNOWN, NO_MIN = DoseStatus.UNKNOWN, DoseStatus.NO_MINIMUM

# --- one trial ---------------------------------------------------------------------------------

TRIAL_CASES = [
    # id, answers, qualifies, qualifies_if_dose_confirmed, dose status
    ("meets every part", {}, True, True, OK),
    ("5 weeks", {"weeks": "5"}, False, False, OK),
    ("6 weeks", {"weeks": "6"}, True, True, OK),
    ("5.9 weeks", {"weeks": "5.9"}, False, False, OK),
    ("weeks unknown", {"weeks": "8", "weeks_unknown": "y"}, False, False, OK),
    ("weeks blank", {"weeks": ""}, False, False, OK),
    ("sertraline 49.9 mg", {"dose_mg": "49.9"}, False, False, LOW),
    ("sertraline 50 mg", {"dose_mg": "50"}, True, True, OK),
    ("decimal comma 49,9", {"dose_mg": "49,9"}, False, False, LOW),
    ("dose unknown ticked", {"dose_mg": "100", "dose_unknown": "y"}, False, True, UNKNOWN),
    ("dose blank", {"dose_mg": ""}, False, True, UNKNOWN),
    ("dose unreadable", {"dose_mg": "lots"}, False, True, UNKNOWN),
    ("venlafaxine 74 mg", {"medicine": "venlafaxine", "dose_mg": "74"}, False, False, LOW),
    ("venlafaxine 75 mg", {"medicine": "venlafaxine", "dose_mg": "75"}, True, True, OK),
    ("bupropion 150 mg", {"medicine": "bupropion", "dose_mg": "150"}, True, True, OK),
    ("mirtazapine 14.9 mg", {"medicine": "mirtazapine", "dose_mg": "14.9"}, False, False, LOW),
    ("escitalopram 10 mg", {"medicine": "escitalopram", "dose_mg": "10"}, True, True, OK),
    ("no minimum on file", {"medicine": "trazodone", "dose_mg": "300"}, False, True, NO_MIN),
    (
        "no minimum, dose unknown",
        {"medicine": "trazodone", "dose_unknown": "y"},
        False,
        True,
        NO_MIN,
    ),
    ("other medicine", {"medicine": "other", "other_name": "Agomelatine"}, False, True, NO_MIN),
    ("all days", {"adherence": "all"}, True, True, OK),
    ("some days", {"adherence": "some"}, False, False, OK),
    ("adherence blank", {"adherence": ""}, False, False, OK),
    ("no improvement", {"response": "none"}, True, True, OK),
    ("under a quarter", {"response": "little"}, True, True, OK),
    ("a quarter to a half", {"response": "somewhat"}, True, True, OK),
    ("more than half", {"response": "lot"}, False, False, OK),
    ("worse", {"response": "worse"}, True, True, OK),
    ("response blank", {"response": ""}, False, False, OK),
    ("earlier episode", {"this_episode": "no"}, False, False, OK),
    ("unsure of episode", {"this_episode": "unsure"}, False, False, OK),
    ("episode blank", {"this_episode": ""}, False, False, OK),
]


@pytest.mark.parametrize(
    ("answers", "qualifies", "if_confirmed", "dose_status"),
    [case[1:] for case in TRIAL_CASES],
    ids=[case[0] for case in TRIAL_CASES],
)
def test_assess_trial(answers, qualifies, if_confirmed, dose_status):
    finding = assess_trial(trial(**answers), RULES)
    assert finding.qualifies is qualifies
    assert finding.qualifies_if_dose_confirmed is if_confirmed
    assert finding.dose.status is dose_status


@pytest.mark.parametrize(
    ("response", "inadequate", "strict"),
    [
        ("none", True, True),
        ("little", True, True),
        ("somewhat", True, False),
        ("lot", False, False),
        ("worse", True, True),
    ],
)
def test_response_bands_against_both_nonresponse_rules(response, inadequate, strict):
    check = assess_trial(trial(response=response), RULES).response
    assert check.inadequate is inadequate
    assert check.strict_nonresponse is strict


@pytest.mark.parametrize(
    ("answers", "field", "expected"),
    [
        ({"weeks": "5"}, "duration", "fewer than the 6 needed"),
        ({"weeks_unknown": "y"}, "duration", "duration not confirmed"),
        ({"adherence": "some"}, "adherence", "some days only"),
        ({"dose_mg": "49.9"}, "dose", "49.9 mg/day, below the 50 mg/day minimum"),
        ({"dose_mg": "50"}, "dose", "at or above the 50 mg/day minimum"),
        ({"dose_unknown": "y"}, "dose", "adequacy of dose unconfirmed"),
        ({"medicine": "vortioxetine"}, "dose", "no minimum dose on file for vortioxetine"),
        ({"medicine": "vortioxetine"}, "dose", "dose not checked"),
        ({"medicine": "other", "other_name": "X"}, "dose", "to be confirmed as an antidepressant"),
        ({"response": "somewhat"}, "response", "does not meet the stricter ≤ 25 % rule"),
        ({"response": "little"}, "response", "meets the stricter ≤ 25 % rule"),
        ({"response": "lot"}, "response", "50 % or more improvement"),
        ({"this_episode": "unsure"}, "current_episode", "only current-episode trials count"),
        ({"this_episode": "no"}, "current_episode", "earlier episode"),
    ],
)
def test_each_check_explains_itself(answers, field, expected):
    finding = assess_trial(trial(**answers), RULES)
    assert expected in getattr(finding, field).reason


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, "Counts toward the pattern"),
        ({"dose_unknown": "y"}, "Counts only if the dose is confirmed adequate"),
        ({"weeks": "5", "adherence": "some"}, "Does not count: taken for 5 weeks"),
        ({"dose_mg": "25"}, "Does not count: 25 mg/day, below"),
    ],
)
def test_trial_reason_summarises_the_outcome(answers, expected):
    assert assess_trial(trial(**answers), RULES).reason.startswith(expected)


def test_venlafaxine_dose_conflict_note_travels_with_the_finding():
    finding = assess_trial(trial(medicine="venlafaxine", dose_mg="100"), RULES)
    assert "150" in finding.dose.note
    assert "UNVERIFIED" in finding.dose.note


TRD, UNCONFIRMED = Verdict.POSSIBLE_TRD, Verdict.POSSIBLE_DOSE_UNCONFIRMED
NOT_MET = Verdict.NOT_MET

# --- a whole history ---------------------------------------------------------------------------

HISTORY_CASES = [
    # id, trials, verdict, qualifying_count, count_if_doses_confirmed
    ("no trials", [], NOT_MET, 0, 0),
    ("one qualifying", [trial()], NOT_MET, 1, 1),
    (
        "two different qualifying",
        [trial(), trial(medicine="escitalopram", dose_mg="10")],
        TRD,
        2,
        2,
    ),
    (
        "three different qualifying",
        [trial(), fluoxetine(), trial(medicine="duloxetine", dose_mg="60")],
        TRD,
        3,
        3,
    ),
    ("same drug twice counts once", [trial(), trial(dose_mg="100")], NOT_MET, 1, 1),
    ("second trial 5 weeks", [trial(), fluoxetine(weeks="5")], NOT_MET, 1, 1),
    ("second trial 6 weeks", [trial(), fluoxetine(weeks="6")], TRD, 2, 2),
    ("second trial 49.9 mg sertraline", [fluoxetine(), trial(dose_mg="49.9")], NOT_MET, 1, 1),
    ("second trial dose unknown", [trial(), fluoxetine(dose_unknown="y")], UNCONFIRMED, 1, 2),
    ("both doses unknown", [trial(dose_mg=""), fluoxetine(dose_mg="")], UNCONFIRMED, 0, 2),
    (
        "no minimum on file",
        [trial(), trial(medicine="trazodone", dose_mg="150")],
        UNCONFIRMED,
        1,
        2,
    ),
    ("second trial some days", [trial(), fluoxetine(adherence="some")], NOT_MET, 1, 1),
    ("second helped a lot", [trial(), fluoxetine(response="lot")], NOT_MET, 1, 1),
    ("second helped somewhat", [trial(), fluoxetine(response="somewhat")], TRD, 2, 2),
    ("second made worse", [trial(), fluoxetine(response="worse")], TRD, 2, 2),
    ("second in earlier episode", [trial(), fluoxetine(this_episode="no")], NOT_MET, 1, 1),
    ("second episode unsure", [trial(), fluoxetine(this_episode="unsure")], NOT_MET, 1, 1),
    ("other free-text medicine", [trial(), other("Agomelatine")], UNCONFIRMED, 1, 2),
    ("same other name twice", [other("Agomelatine"), other("  agomelatine ")], NOT_MET, 0, 1),
    ("two different other names", [other("Agomelatine"), other("Reboxetine")], UNCONFIRMED, 0, 2),
    ("unknown then confirmed dose", [trial(dose_unknown="y"), trial(), fluoxetine()], TRD, 2, 2),
    (
        "low then adequate dose",
        [trial(dose_mg="25"), trial(dose_mg="100"), fluoxetine()],
        TRD,
        2,
        2,
    ),
    ("below minimum never counts", [trial(dose_mg="25"), fluoxetine(dose_mg="10")], NOT_MET, 0, 0),
]


@pytest.mark.parametrize(
    ("trials", "verdict", "count", "count_if_confirmed"),
    [case[1:] for case in HISTORY_CASES],
    ids=[case[0] for case in HISTORY_CASES],
)
def test_assess_history(trials, verdict, count, count_if_confirmed):
    assessment = assess_history(trials, RULES)
    assert assessment.verdict is verdict
    assert assessment.qualifying_count == count
    assert assessment.count_if_doses_confirmed == count_if_confirmed


@pytest.mark.parametrize(
    ("verdict_trials", "label"),
    [
        (
            [trial(), fluoxetine()],
            "Possible treatment-resistant pattern — for clinician assessment",
        ),
        (
            [trial(), fluoxetine(dose_mg="")],
            "Possible pattern, dose unconfirmed — for clinician assessment",
        ),
        ([trial()], "Pattern not met"),
    ],
)
def test_verdict_labels(verdict_trials, label):
    assert assess_history(verdict_trials, RULES).label == label


def test_earlier_episode_trials_are_listed_separately():
    trials = [trial(), fluoxetine(this_episode="no"), other("X", this_episode="unsure")]
    assessment = assess_history(trials, RULES)
    assert [f.trial.medicine for f in assessment.findings] == ["sertraline", "other"]
    assert [f.trial.medicine for f in assessment.earlier_episode_findings] == ["fluoxetine"]


def test_verdict_reason_names_the_medicines_and_the_count():
    assessment = assess_history([trial(), trial(medicine="trazodone")], RULES)
    assert assessment.qualifying_medicines == ("sertraline",)
    assert assessment.medicines_if_doses_confirmed == ("sertraline", "trazodone")
    assert assessment.reason == (
        "1 different antidepressant (sertraline) met every part of the rule; at least 2 needed;"
        " 2 different antidepressants (sertraline, trazodone) would if the unconfirmed doses"
        " are adequate."
    )


def test_not_met_reason_gives_the_count():
    assessment = assess_history([], RULES)
    assert (
        assessment.reason
        == "0 different antidepressants met every part of the rule; at least 2 needed."
    )


def test_rule_sentence_reads_the_thresholds():
    assert rule_sentence(RULES) == (
        "At least 2 different antidepressants in the current episode, each taken for at least 6"
        " weeks on all or most days at or above the minimum dose, with less than 50 % improvement"
        " (FDA 2019 definition; thresholds from the clinic's rules file)."
    )
    assert assess_history([], RULES).rule_sentence == rule_sentence(RULES)


def test_changing_the_rules_file_changes_the_decision_and_the_sentence():
    stricter = dataclasses.replace(
        RULES,
        min_weeks=dataclasses.replace(RULES.min_weeks, value=8),
        min_different_antidepressants=dataclasses.replace(
            RULES.min_different_antidepressants, value=3
        ),
    )
    trials = [trial(weeks="8"), fluoxetine(weeks="7")]
    assert assess_history(trials, RULES).verdict is Verdict.POSSIBLE_TRD
    assessment = assess_history(trials, stricter)
    assert assessment.verdict is Verdict.NOT_MET
    assert assessment.qualifying_count == 1
    assert "At least 3 different antidepressants" in assessment.rule_sentence
    assert "at least 8 weeks" in assessment.rule_sentence


@pytest.mark.parametrize(
    ("trials", "count"),
    [
        ([], 0),
        ([trial()], 1),
        ([trial(weeks="2", adherence="some", dose_mg="5")], 1),  # any adequacy counts for MSM
        ([trial(), trial(dose_mg="100")], 1),
        ([trial(), fluoxetine(response="lot")], 1),
        ([trial(), fluoxetine(this_episode="no")], 1),
        ([trial(), fluoxetine(this_episode="unsure")], 1),
        ([trial(), fluoxetine(), other("Agomelatine", response="none")], 3),
    ],
)
def test_failed_antidepressant_count_for_maudsley(trials, count):
    assert failed_antidepressant_count(trials, RULES) == count


def test_no_output_uses_diagnostic_wording():
    trials = [trial(**answers) for _, answers, *_ in TRIAL_CASES]
    assessment = assess_history(trials, RULES)
    findings = assessment.findings + assessment.earlier_episode_findings
    texts = [assessment.label, assessment.reason, assessment.rule_sentence]
    for finding in findings:
        texts += [finding.reason, finding.dose.reason, finding.response.reason]
        texts += [c.reason for c in (finding.current_episode, finding.duration, finding.adherence)]
    assert len(texts) > 100
    for text in texts:
        assert not any(phrase in text.lower() for phrase in DIAGNOSTIC_PHRASES), text


# --- reading the stored answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "dose_mg", "weeks"),
    [
        ({"dose_mg": "37.5", "weeks": "12"}, 37.5, 12),
        ({"dose_mg": "37,5", "weeks": "0"}, 37.5, 0),
        ({"dose_mg": "100", "dose_unknown": "y"}, None, 6),
        ({"weeks": "10", "weeks_unknown": "y"}, 50, None),
        ({"dose_mg": "0", "weeks": "-3"}, None, None),
        ({"dose_mg": "nan", "weeks": "inf"}, None, None),
        ({"dose_mg": " 20 ", "weeks": " 7 "}, 20, 7),
    ],
)
def test_trial_from_answers_reads_numbers(answers, dose_mg, weeks):
    parsed = trial(**answers)
    assert parsed.dose_mg == dose_mg
    assert parsed.weeks == weeks


def test_trial_from_answers_tolerates_missing_keys():
    parsed = Trial.from_answers({"medicine": "sertraline"})
    assert (parsed.this_episode, parsed.dose_mg, parsed.weeks, parsed.response) == (
        "",
        None,
        None,
        "",
    )
    assert assess_trial(parsed, RULES).qualifies is False


def test_other_medicines_are_keyed_by_normalised_name():
    assert other(" St  John's   Wort ").medicine_key == other("st john's wort").medicine_key
    assert other("A").medicine_key != other("B").medicine_key
    assert other("Sertraline").medicine_key != trial().medicine_key

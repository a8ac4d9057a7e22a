"""The at-a-glance box and the treatment table, as pure domain values (summary.build).

The box reads the results already built (safety level, PHQ-9, verdict, Maudsley, flags) and says
them in plain counts; the table never says "counts" on an unknown dose, marks a medicine taken
twice as counted once, and says which medicine is current and why each was stopped.
"""

from datetime import date

import pytest

from screening.domain import phrases, plain_summary, summary
from tests.helpers import REST_OF_FLOW

AS_OF = date(2025, 3, 1)
BASE = dict(REST_OF_FLOW)  # no treatments, every health question answered "no"
SAFE = {f"phq9_{n}": "3" for n in range(1, 9)} | {"phq9_9": "0"}


def trial(medicine, dose="150", stopped="not_helping", **extra):
    entry = {"medicine": medicine, "this_episode": "yes", "weeks": "10", "adherence": "all",
             "response": "little", "stopped": stopped}
    entry |= {"dose_unknown": "y"} if dose is None else {"dose_mg": dose}
    return entry | extra


@pytest.mark.parametrize(("answers", "level", "wording"), [
    (SAFE, "none", "None: PHQ-9 item 9 answered “Not at all”"),
    (SAFE | {"phq9_9": "1"} | dict.fromkeys(["asq_1", "asq_2", "asq_3", "asq_4"], "no"),
     "item9", "PHQ-9 item 9 positive (ASQ negative)"),
    (SAFE | {"phq9_9": "1", "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no",
             "asq_5": "no"}, "asq_positive", "ASQ positive, non-acute"),
    (SAFE | {"phq9_9": "2", "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no",
             "asq_5": "yes"}, "acute", "ASQ acute positive – see the safety flag below"),
])
def test_the_safety_line_is_the_safety_level_already_built(answers, level, wording):
    built = summary.build(BASE | answers, AS_OF)
    assert built.glance.safety_level == built.safety.level == level
    assert built.glance.safety == wording


def test_the_box_counts_in_plain_words_and_names_the_current_medicine():
    answers = BASE | SAFE | {
        "trials": [trial("sertraline"), trial("fluoxetine", dose="40", stopped="still"),
                   trial("bupropion", dose=None)],
        "aneurysm_avm": "yes", "brain_bleed": "no", "high_blood_pressure": "unsure",
        "stroke": "yes"}
    glance = summary.build(answers, AS_OF).glance
    assert glance.phq9_total == 24
    assert glance.phq9_band == "severe"
    assert glance.verdict.startswith("Possible treatment-resistant pattern")
    assert glance.verdict_count == "2 different antidepressants met the rule; 2 needed"
    assert glance.verdict_if_confirmed == "1 more would if its dose is confirmed"
    assert glance.current_medicines == ("fluoxetine (Prozac)",)
    assert glance.maudsley_total is not None and glance.maudsley_band
    assert (glance.flag_count, glance.contraindication_count) == (3, 1)
    assert glance.flags == "3 for review, 1 of them a label contraindication"


def test_the_box_is_worded_in_the_summary_language_when_built():
    answers = BASE | SAFE | {"trials": [trial("sertraline", stopped="still")]}
    glance = summary.build(answers, AS_OF, "es").glance
    assert phrases.current() == "en"
    assert glance.verdict_count == "1 antidepresivo diferente cumplió la regla; se necesitan 2"
    assert glance.flags == "Ninguno para revisar"
    assert glance.safety.startswith("Ninguno")


def test_no_current_medicine_and_no_flags_say_so():
    glance = summary.build(BASE | SAFE, AS_OF).glance
    assert glance.current == "None reported" and glance.flags == "None for review"
    assert glance.verdict_count == "0 different antidepressants met the rule; 2 needed"
    assert glance.verdict_if_confirmed == ""


def test_an_unknown_dose_never_counts_and_a_repeat_is_counted_once():
    answers = BASE | SAFE | {"trials": [
        trial("sertraline"), trial("bupropion", dose=None), trial("sertraline", dose="200"),
        trial("fluoxetine", dose="5")]}
    treatment = summary.build(answers, AS_OF).treatment
    first, unknown, repeat, low = treatment.trials
    assert first.counts and first.mark == "✔ counts" and first.note == ""
    assert not unknown.counts and unknown.counts_if_dose_confirmed
    assert unknown.mark == "would count if the dose is confirmed"
    assert unknown.note == "Dose not known; the minimum on file is 150 mg/day."
    assert repeat.same_as_earlier and not repeat.counts and repeat.mark == ""
    assert repeat.note == "Same medicine as an earlier row: counted once."
    assert not low.counts and low.mark == "" and low.note.startswith("Does not count")
    assert treatment.met_rule == "1 different antidepressant met the rule (2 needed)"
    assert treatment.if_confirmed == "1 more would if its dose is confirmed"


def test_a_repeat_that_qualifies_after_an_earlier_row_that_did_not_counts_once():
    answers = BASE | SAFE | {"trials": [trial("sertraline", dose="25"), trial("sertraline")]}
    low, repeat = summary.build(answers, AS_OF).treatment.trials
    assert not low.counts
    assert repeat.counts and repeat.same_as_earlier
    assert summary.build(answers, AS_OF).treatment.resistance.qualifying_count == 1


def test_the_table_says_which_is_current_and_why_each_was_stopped():
    answers = BASE | SAFE | {"trials": [trial("sertraline", stopped="side_effects"),
                                        trial("fluoxetine", dose="40", stopped="still")]}
    stopped, current = summary.build(answers, AS_OF).treatment.trials
    assert not stopped.current and stopped.stopped == "Side effects"
    assert current.current and current.stopped == "I am still taking it"


def test_the_plain_summary_carries_answers_not_categories():
    answers = BASE | SAFE | {"phq9_9": "1", "asq_1": "yes", "asq_2": "no", "asq_3": "no",
                             "asq_4": "no", "asq_5": "no", "phq9_10": "2",
                             "trials": [trial("fluoxetine", dose="40", stopped="still")],
                             "aneurysm_avm": "yes", "stroke": "unsure"}
    plain = plain_summary.for_patient(summary.build(answers, AS_OF), "en")
    assert plain.total == 25 and plain.safety_flagged
    assert len(plain.phq9) == 10 and plain.phq9[0].answer == "Nearly every day"
    assert [row.answer for row in plain.safety] == ["Yes", "No", "No", "No", "No"]
    assert [(m.question, m.answer) for m in plain.medicines] == [
        ("fluoxetine (Prozac)", "You are still taking it")]
    assert [row.answer for row in plain.health] == ["Yes", "Not sure"]
    words = " ".join(f"{row.question} {row.answer}" for row in (*plain.phq9, *plain.safety,
                                                                 *plain.medicines, *plain.health))
    for term in ("contraindication", "ASQ", "syndrome", "imminent", "severe"):
        assert term not in words

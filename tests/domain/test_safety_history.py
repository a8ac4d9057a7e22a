"""The safety answers keep their history: every answer to item 9 and the ASQ with its time, the
flag from the highest-risk answers ever given, stale ASQ answers cleared from the current ones."""

from datetime import UTC, datetime

from screening.domain import answers as answer_model
from screening.domain import safety_history, summary

PHQ9_1_TO_8 = {f"phq9_{i}": "1" for i in range(1, 9)}


def at(minute: int) -> datetime:
    return datetime(2026, 11, 27, 19, minute, tzinfo=UTC)


def walk(*steps: dict) -> dict:
    """Save each step in turn, one minute apart, as the store does."""
    answers: dict = {}
    for minute, step in enumerate((PHQ9_1_TO_8, *steps)):
        answers = answer_model.saved(answers, step, at(minute))
    return answers


ACUTE_PATH = ({"phq9_9": "2"}, {"safety_seen": "yes"}, {"asq_1": "yes"}, {"asq_2": "no"},
              {"asq_3": "no"}, {"asq_4": "no"}, {"asq_5": "yes"}, {"help_now_seen": "yes"})


def test_every_safety_answer_is_kept_with_its_time_even_an_unchanged_one():
    answers = walk(*ACUTE_PATH, {"asq_5": "no"}, {"asq_5": "no"})
    assert safety_history.given(answers, "asq_5") == [("yes", at(7)), ("no", at(9)),
                                                      ("no", at(10))]
    assert safety_history.given(answers, "phq9_9") == [("2", at(1))]
    # Only the changes are shown on the summary.
    assert safety_history.changes(answers, "asq_5") == [("yes", at(7)), ("no", at(9))]
    events = [e["event"] for e in safety_history.entries(answers) if "event" in e]
    assert events == ["crisis_page_shown", "help_now_shown"]


def test_other_questions_are_not_in_the_history():
    answers = walk({"phq9_9": "0"}, {"phq9_10": "1"})
    assert [e["question"] for e in answers["safety_history"]] == ["phq9_9"]


def test_a_patient_cannot_set_or_clear_the_history_or_the_sent_early_mark():
    answers = walk(*ACUTE_PATH)
    forged = answer_model.saved(answers, {"phq9_10": "1", "safety_history": [],
                                          "help_now_sent_early": "yes"}, at(30))
    assert forged["safety_history"] == answers["safety_history"]
    assert "help_now_sent_early" not in forged
    assert answer_model.merged(answers, {"safety_history": []})["safety_history"] \
        == answers["safety_history"]


def test_the_acute_flag_is_kept_after_acuity_is_changed_to_no():
    answers = walk(*ACUTE_PATH, {"asq_5": "no"})
    assert answers["asq_5"] == "no"
    safety = summary.build(answers).safety
    assert safety.asq.acute and safety.level == "acute"
    assert safety.final["asq_5"] == "No"
    assert [(g.answer, g.at) for g in safety.changes["asq_5"]] == [("Yes", at(7)), ("No", at(9))]
    assert safety.help_now_shown


def test_item_9_changed_to_not_at_all_clears_the_asq_but_not_the_flag():
    answers = walk(*ACUTE_PATH, {"phq9_9": "0"})
    for key in ("asq_1", "asq_2", "asq_3", "asq_4", "asq_5", "safety_seen", "help_now_seen"):
        assert key not in answers, key
    safety = summary.build(answers).safety
    assert safety.flagged and safety.level == "acute"
    assert safety.item9.score == 0 and safety.item9_highest == 2
    assert [g.answer for g in safety.changes["phq9_9"]] == ["More than half the days (2)",
                                                           "Not at all (0)"]
    assert safety.final["asq_1"] == "Yes"  # the last answer the patient gave to it
    assert safety.crisis_page_shown and safety.help_now_shown


def test_all_asq_answers_no_clears_acuity_so_it_is_asked_afresh():
    answers = walk(*ACUTE_PATH, {"asq_1": "no"})
    assert "asq_5" not in answers and "help_now_seen" not in answers
    assert summary.build(answers).safety.level == "acute"


def test_item_9_highest_score_sets_the_level_when_the_asq_is_negative():
    answers = walk({"phq9_9": "1"}, {"safety_seen": "yes"}, {"asq_1": "no"}, {"asq_2": "no"},
                   {"asq_3": "no"}, {"asq_4": "no"}, {"phq9_9": "0"})
    assert summary.build(answers).safety.level == "item9"


def test_answers_without_a_history_read_as_before():
    stored = PHQ9_1_TO_8 | {"phq9_9": "1", "asq_1": "yes", "asq_2": "no", "asq_3": "no",
                            "asq_4": "no", "asq_5": "no"}
    safety = summary.build(stored).safety
    assert safety.level == "asq_positive" and not safety.changes
    assert summary.build(PHQ9_1_TO_8 | {"phq9_9": "0"}).safety.level == "none"


def test_sending_early_marks_the_answers_and_records_the_help_now_page():
    answers = answer_model.sent_early(walk(*ACUTE_PATH[:-1]), at(40))
    assert answers["help_now_sent_early"] == "yes"
    assert [e.get("event") for e in answers["safety_history"][-2:]] == ["help_now_shown",
                                                                         "sent_early"]
    assert summary.build(answers).safety.sent_early


def test_a_patient_who_keeps_changing_an_answer_is_never_stopped_and_the_flag_stays():
    from datetime import UTC, datetime, timedelta

    from screening.domain import bounds, safety_history

    start = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    answers: dict = {"phq9_9": "2"}
    for n in range(400):
        value = "yes" if n == 3 else "no"
        answers = {**answers, "asq_5": value,
                   "safety_history": safety_history.recorded(
                       answers, {"asq_5": value}, start + timedelta(seconds=n))}
        bounds.storable(answers)  # never TooMuchToStore
    history = answers["safety_history"]
    assert len(history) <= safety_history.KEPT_AT_MOST
    assert safety_history.highest_risk(answers)["asq_5"] == "yes"
    first_yes = next(e for e in history if e.get("answer") == "yes")
    assert first_yes["at"] == (start + timedelta(seconds=3)).isoformat()
    assert history[-1]["at"] == (start + timedelta(seconds=399)).isoformat()

"""Medical-history review flags: which answers fire, what they say, never an exclusion."""

import pytest

from screening.domain.review_flags import load_questions, parse_questions, review_flags

QUESTIONS = load_questions()
IDS = [question.id for question in QUESTIONS]
LABEL_CONTRAINDICATIONS = {"aneurysm_avm", "brain_bleed", "ketamine_allergy"}


def reassuring_answers() -> dict[str, str]:
    """Answers that raise no flag: "no" everywhere, except "yes" to having a ride home."""
    return dict.fromkeys(IDS, "no") | {"ride_home": "yes"}


def test_reassuring_answers_raise_no_flag():
    assert review_flags(reassuring_answers()) == ()


@pytest.mark.parametrize("question_id", [i for i in IDS if i != "ride_home"])
@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_yes_or_unsure_raises_a_flag(question_id, answer):
    flags = review_flags(reassuring_answers() | {question_id: answer})
    assert [(flag.id, flag.answer) for flag in flags] == [(question_id, answer)]
    assert flags[0].label_contraindication is (question_id in LABEL_CONTRAINDICATIONS)


@pytest.mark.parametrize(("answer", "fires"), [("yes", False), ("no", True), ("unsure", True)])
def test_ride_home_fires_on_no_or_unsure(answer, fires):
    flags = review_flags(reassuring_answers() | {"ride_home": answer})
    assert [flag.id for flag in flags] == (["ride_home"] if fires else [])


@pytest.mark.parametrize("answer", [None, "", "maybe", "YES"])
def test_missing_or_unknown_answer_is_flagged_as_unanswered(answer):
    answers = reassuring_answers()
    if answer is None:
        del answers["liver"]
    else:
        answers["liver"] = answer
    flags = review_flags(answers)
    assert [(flag.id, flag.answer) for flag in flags] == [("liver", "unanswered")]
    assert flags[0].reason.startswith("Not answered: liver disease")


def test_flags_come_in_question_order_with_their_reasons():
    answers = reassuring_answers() | {
        "ride_home": "unsure",
        "stroke": "yes",
        "aneurysm_avm": "unsure",
    }
    flags = review_flags(answers)
    assert [flag.id for flag in flags] == ["aneurysm_avm", "stroke", "ride_home"]
    assert flags[0].reason == (
        "Answered not sure: aneurysm or arteriovenous malformation (esketamine label"
        " contraindication) — for clinician review"
    )
    assert flags[1].reason == "Answered yes: stroke or mini-stroke (TIA) — for clinician review"
    assert flags[2].reason.startswith("Answered not sure: no confirmed ride home")


def test_every_flag_is_for_review_never_an_exclusion():
    flags = review_flags(dict.fromkeys(IDS, "yes"))
    assert len(flags) == len(IDS) - 1  # "yes" to a ride home raises nothing
    for flag in flags:
        assert flag.reason.endswith("for clinician review")
        assert "exclu" not in flag.reason.lower()
        assert "eligib" not in flag.reason.lower()


def test_only_label_contraindications_are_marked():
    flags = review_flags(dict.fromkeys(IDS, "unsure"))
    marked = {flag.id for flag in flags if flag.label_contraindication}
    assert marked == LABEL_CONTRAINDICATIONS


def question_data(**changes):
    row = {
        "id": "q",
        "text": "Question?",
        "flag": "topic — for clinician review",
        "flag_on": ["yes", "unsure"],
        "label_contraindication": False,
        "source": "clinical.md §4",
    }
    return {
        "questions": [{key: value for key, value in (row | changes).items() if value is not None}]
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": None}, "missing 'source'"),
        ({"source": "  "}, "'source' must be a non-empty string"),
        ({"flag": None}, "missing 'flag'"),
        ({"flag_on": ["maybe"]}, "'flag_on' must list answers"),
        ({"flag_on": []}, "'flag_on' must list answers"),
        ({"label_contraindication": "no"}, "must be true or false"),
    ],
)
def test_parse_questions_rejects_incomplete_data(changes, message):
    with pytest.raises(ValueError, match=message):
        parse_questions(question_data(**changes))


def test_parse_questions_rejects_duplicate_ids():
    data = question_data()
    data["questions"] *= 2
    with pytest.raises(ValueError, match="unique"):
        parse_questions(data)


def test_custom_questions_can_be_passed_in():
    questions = parse_questions(question_data(flag_on=["no"]))
    assert [flag.answer for flag in review_flags({"q": "no"}, questions)] == ["no"]
    assert review_flags({"q": "yes"}, questions) == ()

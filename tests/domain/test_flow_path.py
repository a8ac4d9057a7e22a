"""The patient's path: which steps the answers make visible, where to resume, back and progress."""

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.domain import flow

PHQ9_ZERO = {f"phq9_{n}": "0" for n in range(1, 10)}


def _ids(steps) -> list[str]:
    return [step.id for step in steps]


def _step(step_id: str) -> flow.Step:
    return next(step for step in flow.steps() if step.id == step_id)


def test_all_zero_phq9_skips_the_safety_steps_and_the_difficulty_question():
    path = flow.Path(PHQ9_ZERO)
    assert _ids(path.steps)[:10] == [*(f"phq9_{n}" for n in range(1, 10)), "episode_start"]
    assert path.first_incomplete().id == "episode_start"  # when it began must be answered
    assert path.previous_step(_step("episode_start")).id == "phq9_9"
    assert path.next_step(_step("phq9_9")).id == "episode_start"


def test_item_9_opens_the_safety_notice_and_the_asq():
    path = flow.Path(PHQ9_ZERO | {"phq9_9": "1"})
    visible = _ids(path.steps)
    assert visible[9:15] == ["safety", "asq_1", "asq_2", "asq_3", "asq_4", "phq9_10"]
    assert "asq_5" not in visible and "help_now" not in visible
    assert path.first_incomplete().id == "safety"
    assert path.progress(_step("asq_3")) == (3, 4)
    assert path.progress_text(_step("asq_3")) == "Safety question 3 of 4"
    assert path.progress_text(_step("asq_3"), "es") == "Pregunta de seguridad 3 de 4"


def test_a_yes_on_the_asq_adds_the_acuity_question_and_help_now_follows_a_yes_there():
    answers = PHQ9_ZERO | {"phq9_9": "2", "asq_1": "no", "asq_2": "yes"}
    assert "asq_5" in _ids(flow.Path(answers).steps)
    assert "help_now" not in _ids(flow.Path(answers | {"asq_5": "no"}).steps)
    assert "help_now" in _ids(flow.Path(answers | {"asq_5": "yes"}).steps)


def test_the_first_step_has_nothing_before_it_and_resuming_starts_there():
    path = flow.Path({})
    assert path.first_incomplete().id == "phq9_1"
    assert path.previous_step(_step("phq9_1")) is None
    assert path.progress(_step("phq9_4")) == (4, 9)


ANSWER_VALUES = st.one_of(st.none(), st.sampled_from(["0", "1", "2", "3", "yes", "no", ""]),
                          st.text(max_size=3), st.lists(st.text(max_size=2), max_size=2))


@settings(max_examples=400, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(flow._condition_items()), ANSWER_VALUES))
def test_the_remembered_visible_steps_are_the_ones_the_conditions_give(answers):
    walked = tuple(step for step in flow.steps() if step.applies(answers))
    assert flow.visible_steps(answers) == walked
    assert flow.visible_steps(answers) == walked  # and again, from memory


def test_every_item_a_condition_reads_counts():
    for step in flow.steps():
        if step.show_if:
            assert set(step.show_if.items) <= set(flow._condition_items()), step.id

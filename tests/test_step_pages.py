"""Step pages from the per-worker cache are the pages a direct render gives, patient by patient."""

import re

import pytest
from flask import current_app
from flask_wtf.csrf import generate_csrf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import step_pages
from screening.domain import flow
from screening.domain.locales import LANGUAGES
from screening.domain.questions import all_questions
from screening.forms import ConfirmForm, form_class, form_data
from tests.conftest import Patient, step_number

CACHED_STEPS = [step for step in flow.steps() if step_pages.has_blank_page(step)]
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_the_cached_steps_are_the_radio_and_notice_steps():
    kinds = {all_questions()[q].kind for step in CACHED_STEPS for q in step.questions}
    assert kinds == {"choice"}
    assert {step.kind for step in CACHED_STEPS} == {"questions", "notice"}
    assert [s.id for s in CACHED_STEPS[:9]] == [f"phq9_{n}" for n in range(1, 10)]
    assert not any(step_pages.has_blank_page(s) for s in flow.steps() if s.kind == "repeat")
    assert not step_pages.has_blank_page(next(s for s in flow.steps() if "dose_mg" in s.questions))


def _answers(step: flow.Step):
    """Any stored answers for the step: an option, nothing, or a value no option has."""
    def one(qid):
        values = [option.value for option in all_questions()[qid].options]
        return st.one_of(st.sampled_from(values), st.just(""), st.just('x" onclick="y'))
    return st.fixed_dictionaries({}, optional={qid: one(qid) for qid in step.questions})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("number", [step.number for step in CACHED_STEPS])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), change=st.booleans(), with_progress=st.booleans())
def test_a_filled_page_is_byte_for_byte_the_direct_render(csrf_app, number, language, data,
                                                          change, with_progress):
    step = flow.step_by_number(number, language)
    answers = data.draw(_answers(step))
    path = f"/step/{number}" + ("?change=1" if change else "")
    with csrf_app.test_request_context(path, headers={"Cookie": f"lang={language}"}):
        page = step_pages.StepPage(
            number=number, language=language, change=change,
            progress="Question 2 of 9" if with_progress else "", back_url="/step/1", path=path)
        form = ConfirmForm() if step.kind == "notice" else form_class(step)(
            data=form_data(step, answers))
        direct = step_pages.render(page, form)
        assert step_pages.render_filled(page, answers) == direct
        blank = current_app.extensions["step_pages"](page)
        assert generate_csrf() not in blank
        assert not re.search(r"<input[^>]* checked", blank)
        assert direct.count(generate_csrf()) == 2  # the form and the language switch


def _client_at_phq9(app, scores: dict):
    client = app.test_client()
    start = client.get("/")
    client.post("/begin", data={"csrf_token": TOKEN.search(start.text).group(1)})
    for qid, value in scores.items():
        page = client.get(f"/step/{step_number(qid)}")
        client.post(f"/step/{step_number(qid)}",
                    data={qid: value, "csrf_token": TOKEN.search(page.text).group(1)})
    return client


def test_two_patients_each_see_their_own_answer_and_token(csrf_app):
    first = _client_at_phq9(csrf_app, {"phq9_1": "3", "phq9_2": "0"})
    second = _client_at_phq9(csrf_app, {"phq9_1": "1"})
    mine, theirs = first.get("/step/1?change=1"), second.get("/step/1?change=1")
    assert re.findall(r'name="phq9_1" value="(\d)" checked', mine.text) == ["3"]
    assert re.findall(r'name="phq9_1" value="(\d)" checked', theirs.text) == ["1"]
    assert TOKEN.search(mine.text).group(1) != TOKEN.search(theirs.text).group(1)
    assert csrf_app.extensions["step_pages"].cache_info().hits >= 1
    # The token filled into the cached page is the one this patient's next POST must carry.
    resent = first.post("/step/1?change=1", data={
        "phq9_1": "2", "csrf_token": TOKEN.search(mine.text).group(1)})
    assert resent.status_code == 302
    assert 'value="2" checked' in first.get("/step/1?change=1").text
    assert 'value="1" checked' in second.get("/step/1?change=1").text


def test_a_page_with_errors_is_rendered_directly(client):
    Patient(client).begin()
    response = client.post("/step/1", data={})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert client.application.extensions["step_pages"].cache_info().currsize == 0

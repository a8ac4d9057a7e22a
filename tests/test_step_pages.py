"""Step pages are rendered for the patient who asks: their answers, their CSRF token."""

import re

from tests.helpers import Patient, step_number

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


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
    assert re.findall(r'class="answer chosen"[^>]*name="phq9_1" value="(\d)"', mine.text) == ["3"]
    assert re.findall(r'class="answer chosen"[^>]*name="phq9_1" value="(\d)"', theirs.text) == ["1"]
    assert TOKEN.search(mine.text).group(1) != TOKEN.search(theirs.text).group(1)
    resent = first.post("/step/1?change=1", data={
        "phq9_1": "2", "csrf_token": TOKEN.search(mine.text).group(1)})
    assert resent.status_code == 302
    assert re.findall(r'class="answer chosen"[^>]*name="phq9_1" value="(\d)"',
                      first.get("/step/1?change=1").text) == ["2"]
    assert re.findall(r'class="answer chosen"[^>]*name="phq9_1" value="(\d)"',
                      second.get("/step/1?change=1").text) == ["1"]


def test_a_page_with_errors_keeps_the_form_and_says_what_is_wrong(client):
    Patient(client).begin()
    response = client.post("/step/1", data={})
    assert response.status_code == 400
    assert "There is a problem" in response.text

"""The patient questionnaire through the Flask client, step by step."""

import re

from sqlalchemy import func, select

from screening.database import db
from screening.domain import flow
from screening.models import Submission
from tests.helpers import step_number

ALL_ZERO = {f"phq9_{i}": "0" for i in range(1, 10)}
SEVERE = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes", "phq9_10": "3"}


def location(response) -> str:
    return response.headers.get("Location", "")


def test_start_page_explains_and_shows_crisis_numbers(client):
    page = client.get("/").get_data(as_text=True)
    assert "about 5 minutes" in page
    assert "not a diagnosis" in page
    assert "not for emergencies" in page
    for number in ("988", "741741", "911"):
        assert number in page
    assert "72 hours" in page


def test_question_page_has_stem_progress_back_and_four_options(client, patient):
    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "1"})
    patient.answer("phq9_2", {"phq9_2": "1"})
    page = client.get("/step/3").get_data(as_text=True)
    assert "Question 3 of 9" in page
    assert "Over the last 2 weeks, how often have you been bothered" in page
    assert "<legend>" in page and "Trouble falling or staying asleep" in page
    assert page.count('class="answer"') == 4  # one tap answers and goes on
    assert "Part 1 of 4: How you have been feeling" in page
    assert 'href="/step/2"' in page


def test_unanswered_question_shows_linked_error_summary(client, patient):
    patient.begin()
    response = patient.answer("phq9_1", {})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#phq9_1-0"' in page and 'id="phq9_1-0"' in page
    assert 'aria-describedby="phq9_1-error"' in page


def test_not_at_all_is_a_real_answer(patient):
    patient.begin()
    response = patient.answer("phq9_1", {"phq9_1": "0"})
    assert location(response).endswith("/step/2")


def test_all_zero_patient_skips_safety_and_difficulty(client, patient):
    patient.begin()
    response = patient.phq9([0] * 9)
    assert location(response).endswith(f"/step/{step_number('episode_start')}")
    patient.follow_to_review(ALL_ZERO)
    review = client.get("/review").get_data(as_text=True)
    assert "how difficult" not in review
    client.post("/submit")
    assert "Your answers add up to 0 out of 27." in client.get("/summary").get_data(as_text=True)
    sheet = client.get("/summary/print").get_data(as_text=True)
    assert "0 / 27" in sheet
    assert "SAFETY FLAG" not in sheet


def test_item_9_positive_goes_to_safety_page_at_once(client, patient):
    patient.begin()
    response = patient.phq9([0] * 8 + [1])
    assert location(response).endswith(f"/step/{step_number('safety')}")
    page = client.get(location(response)).get_data(as_text=True)
    assert "988" in page and "HOME to 741741" in page and "911" in page


def test_acute_asq_shows_help_now_before_anything_else(client, patient):
    patient.begin()
    patient.phq9([3] * 9)
    patient.answer("safety", {})
    for item, value in [("asq_1", "yes"), ("asq_2", "no"), ("asq_3", "no"), ("asq_4", "no")]:
        patient.answer(item, {item: value})
    response = patient.answer("asq_5", {"asq_5": "yes"})
    assert location(response).endswith(f"/step/{step_number('help_now')}")
    assert "Please ask for help now" in client.get(location(response)).get_data(as_text=True)


def test_negative_asq_skips_the_acuity_question(patient):
    patient.begin()
    patient.phq9([1] * 9)
    patient.answer("safety", {})
    for item in ("asq_1", "asq_2", "asq_3"):
        patient.answer(item, {item: "no"})
    response = patient.answer("asq_4", {"asq_4": "no"})
    assert location(response).endswith(f"/step/{step_number('phq9_10')}")


def test_severe_patient_summary_has_safety_block_first(client, patient):
    patient.complete(SEVERE)
    summary = client.get("/summary/print").get_data(as_text=True)
    assert summary.index("At a glance") < summary.index("SAFETY FLAG") < summary.index("PHQ-2")
    assert summary.index("SAFETY FLAG") < summary.index("Little interest or pleasure")
    assert "ASQ acute positive screen" in summary
    assert "In the past few weeks, have you wished you were dead?" in summary
    assert "Crisis resources page shown: yes" in summary
    assert "severe" in summary
    assert "requires clinical confirmation" in summary
    assert "PHQ-2 subtotal (items 1–2): 6 / 6" in summary
    assert "not a diagnosis" in summary
    assert "No permission required to reproduce" in summary


def test_change_link_returns_to_review(client, patient):
    patient.begin()
    patient.follow_to_review(ALL_ZERO | {"phq9_1": "1", "phq9_10": "0"})
    response = patient.answer("phq9_1", {"phq9_1": "3"}, change=True)
    assert location(response).endswith("/review")
    assert "Nearly every day" in client.get("/review").get_data(as_text=True)


def test_change_that_opens_the_safety_path_walks_it_before_review(client, patient):
    patient.begin()
    patient.follow_to_review(ALL_ZERO)
    response = patient.answer("phq9_9", {"phq9_9": "2"}, change=True)
    assert location(response).endswith(f"/step/{step_number('safety')}?change=1")
    response = patient.follow_to_review(
        SEVERE | {"phq9_9": "2", "asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no"})
    assert response.status_code == 200


def test_steps_cannot_be_skipped_by_url(client, patient):
    patient.begin()
    response = client.get("/step/5")
    assert location(response).endswith("/step/1")


def test_submit_twice_gives_one_submission_and_one_code(app, client, patient):
    patient.complete(ALL_ZERO)
    client.post("/submit")
    first = re.search(r'class="code"[^>]*>.*?([0-9A-Z]{4}-[0-9A-Z]{4})',
                      client.get("/done").get_data(as_text=True), re.S).group(1)
    client.post("/submit")
    again = client.get("/done").get_data(as_text=True)
    assert first in again
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_done_page_shows_grouped_code_and_qr(client, patient):
    patient.complete(ALL_ZERO)
    page = client.get("/done").get_data(as_text=True)
    group = "[0-9A-HJKMNP-TV-Z]{4}"
    assert re.search(rf">(?:<span[^>]*>[^<]*</span>)?{group}-{group}<", page)
    assert "<svg" in page


def test_returning_patient_can_continue_or_start_again(client, patient):
    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "2"})
    page = client.get("/").get_data(as_text=True)
    assert "Continue where you left off" in page and "Start again" in page
    assert location(client.post("/begin")).endswith("/step/2")
    client.post("/restart")
    assert "Continue where you left off" not in client.get("/").get_data(as_text=True)
    assert 'checked' not in client.get("/step/1").get_data(as_text=True)


def test_validation_error_keeps_other_answers(client, patient):
    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "2"})
    patient.answer("phq9_2", {"phq9_2": "bogus"})
    page = client.get("/step/1").get_data(as_text=True)
    assert re.search(r'class="answer chosen"[^>]*value="2"', page)


def test_every_flow_step_has_a_template(client, patient):
    patient.begin()
    patient.follow_to_review(SEVERE)
    for step in flow.visible_steps(SEVERE | {"safety_seen": "yes", "help_now_seen": "yes"}):
        assert client.get(f"/step/{step.number}").status_code == 200


def test_a_shared_phone_can_forget_the_questionnaire(app, client, patient):
    patient.complete(ALL_ZERO)
    assert "Remove my answers from this phone" in client.get("/done").get_data(as_text=True)
    response = client.post("/forget")
    assert response.status_code == 200
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert any(c.startswith("draft=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("draft") is None
    assert location(client.get("/summary")).endswith("/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_forgetting_an_unfinished_questionnaire_deletes_the_draft(app, client, patient):
    from screening.models import Draft

    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "2"})
    client.post("/forget")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0

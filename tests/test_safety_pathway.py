"""The safety pathway on the patient's pages: answers keep their history, the emergency action
comes first, every crisis line is a link, and the patient can send early from the help-now page
(DESIGN.md §2)."""

import re

from sqlalchemy import func, select

from screening.database import db
from screening.models import Draft, Submission
from tests.helpers import REST_OF_FLOW, step_number

ACUTE_ASQ = {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes"}


def location(response) -> str:
    return response.headers.get("Location", "")


def reach_help_now(patient):
    patient.begin()
    patient.phq9([2] * 9)
    patient.answer("safety", {})
    for item in ("asq_1", "asq_2", "asq_3", "asq_4", "asq_5"):
        response = patient.answer(item, {item: ACUTE_ASQ[item]})
    assert location(response).endswith(f"/step/{step_number('help_now')}")
    return response


def the_submission(app) -> Submission:
    with app.app_context():
        found = db.session.scalars(select(Submission)).one()
        db.session.expunge(found)
        return found


def the_draft_answers(app) -> dict:
    with app.app_context():
        return db.session.scalars(select(Draft)).one().answers


def safety_block(page: str) -> str:
    return re.search(r'<section class="safety-block".*?</section>', page, re.S).group(0)


def test_acuity_changed_to_no_from_review_still_prints_the_acute_answer_and_the_change(
        app, client, patient):
    reach_help_now(patient)
    patient.answer("help_now", {})
    assert patient.follow_to_review({"phq9_10": "2"}).status_code == 200
    response = patient.answer("asq_5", {"asq_5": "no"}, change=True)
    assert location(response).endswith("/review")
    assert client.post("/submit").status_code == 302
    assert the_submission(app).safety_level == "acute"
    block = safety_block(client.get("/summary/print").get_data(as_text=True))
    assert "ASQ acute positive screen" in block
    assert re.search(r"Yes at \d\d:\d\d, changed to No at \d\d:\d\d", block)
    assert "“Ask for help now” page shown: yes" in block


def test_item_9_changed_to_not_at_all_keeps_the_asq_answers_and_never_shows_acuity(
        app, client, patient):
    reach_help_now(patient)
    patient.answer("help_now", {})
    patient.follow_to_review({"phq9_10": "2"})
    response = patient.answer("phq9_9", {"phq9_9": "0"}, change=True)
    # The acuity question no longer applies: never shown, and opening it sends the patient on.
    assert location(response).endswith("/review")
    assert client.get(f"/step/{step_number('asq_5')}").status_code == 302
    client.post("/submit")
    submission = the_submission(app)
    assert submission.safety_level == "acute"
    block = safety_block(client.get("/summary/print").get_data(as_text=True))
    assert "Are you having thoughts of killing yourself right now?" in block
    assert re.search(r"More than half the days \(2\) at \d\d:\d\d, changed to "
                     r"Not at all \(0\) at \d\d:\d\d", block)


def test_a_safety_question_asked_again_is_not_preselected(client, patient):
    reach_help_now(patient)
    patient.answer("phq9_9", {"phq9_9": "0"})
    response = patient.answer("phq9_9", {"phq9_9": "2"})
    # The crisis page is shown again, then the ASQ from scratch.
    assert location(response).endswith(f"/step/{step_number('safety')}")
    patient.answer("safety", {})
    page = client.get(f"/step/{step_number('asq_1')}").get_data(as_text=True)
    assert 'name="asq_1"' in page and "checked" not in page


def test_a_forged_safety_history_field_is_refused(app, client, patient):
    reach_help_now(patient)
    before = the_draft_answers(app)["safety_history"]
    response = client.post(f"/step/{step_number('help_now')}", data={
        "safety_history": "[]", "help_now_sent_early": "yes"})
    assert response.status_code == 302
    after = the_draft_answers(app)
    assert after["safety_history"][:len(before)] == before
    assert after["safety_history"][-1]["event"] == "help_now_shown"
    assert "help_now_sent_early" not in after
    response = patient.answer("phq9_9", {"phq9_9": "1", "safety_history": ""})
    assert the_draft_answers(app)["safety_history"][-1]["answer"] == "1"


def test_two_tabs_answering_the_same_safety_question_both_land_in_the_history(
        app, client, patient):
    reach_help_now(patient)
    # Both tabs opened the acuity page; one answers yes again, the other no.
    patient.answer("asq_5", {"asq_5": "yes"})
    patient.answer("asq_5", {"asq_5": "no"})
    acuity = [e["answer"] for e in the_draft_answers(app)["safety_history"]
              if e.get("question") == "asq_5"]
    assert acuity == ["yes", "yes", "no"]


def test_help_now_page_puts_the_call_and_text_buttons_first(client, patient):
    page = client.get(location(reach_help_now(patient))).get_data(as_text=True)
    main = page[page.index("<main"):]
    first_paragraph = main.index("<p")
    buttons = [main.index(f'href="{href}"') for href in ("tel:988", "sms:988", "tel:911")]
    assert buttons == sorted(buttons) and buttons[-1] < first_paragraph
    for label in ("Call 988", "Text 988", "Call 911"):
        assert f">{label}</a>" in main
    assert main.index("Continue the questionnaire") > buttons[-1]
    assert "Send my answers to the clinic now" in main
    assert "The clinic sees your answers only once they are sent" in main


def test_the_safety_page_says_the_clinic_sees_answers_only_once_sent(client, patient):
    patient.begin()
    response = patient.phq9([1] * 9)
    page = client.get(location(response)).get_data(as_text=True)
    assert "The clinic sees your answers only once they are sent" in page
    assert "Nobody watches this questionnaire" in page


def crisis_links(page: str) -> list[str]:
    section = re.search(r'<section class="crisis".*?</section>', page, re.S).group(0)
    return re.findall(r'href="((?:tel|sms):[^"]*)"', section)


def test_every_crisis_line_is_a_link_on_the_start_page_in_both_languages(client):
    english = client.get("/").get_data(as_text=True)
    assert crisis_links(english) == ["tel:988", "sms:988", "sms:741741?&amp;body=HOME", "tel:911"]
    spanish = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert crisis_links(spanish) == ["tel:988", "sms:988?&amp;body=AYUDA",
                                     "sms:741741?&amp;body=AYUDA", "tel:911"]


def test_sending_early_from_help_now_gives_a_code_once(app, client, patient):
    reach_help_now(patient)
    response = client.post("/help-now/send")
    assert location(response).endswith("/done")
    done = client.get("/done").get_data(as_text=True)
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}", done) and "tel:988" in done
    assert "before the end" in done
    assert location(client.post("/help-now/send")).endswith("/done")  # idempotent
    assert location(client.post("/submit")).endswith("/done")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    submission = the_submission(app)
    assert submission.safety_level == "acute"
    assert submission.answers["help_now_sent_early"] == "yes"
    summary = client.get("/summary/print").get_data(as_text=True)
    assert "Sent early from the safety page." in summary
    assert "Not answered" in summary  # the treatment and health questions were not reached
    assert "“Ask for help now” page shown: yes" in summary


def test_sending_early_is_refused_before_the_help_now_page_applies(app, client, patient):
    patient.begin()
    patient.phq9([1] * 9)
    response = client.post("/help-now/send")
    assert f"/step/{step_number('safety')}" in location(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_normal_finish_after_help_now_is_not_marked_sent_early(app, client, patient):
    reach_help_now(patient)
    patient.answer("help_now", {})
    patient.follow_to_review(REST_OF_FLOW | {"phq9_10": "1"})
    client.post("/submit")
    assert "help_now_sent_early" not in the_submission(app).answers
    assert "Sent early" not in client.get("/summary/print").get_data(as_text=True)


def test_the_spanish_help_now_page_puts_the_spanish_buttons_first(client, patient):
    client.post("/language", data={"language": "es", "next": "/"})
    page = client.get(location(reach_help_now(patient))).get_data(as_text=True)
    main = page[page.index("<main"):]
    buttons = [main.index(f'href="{href}"') for href in ("tel:988", "sms:988?&amp;body=AYUDA",
                                                         "tel:911")]
    assert buttons == sorted(buttons) and buttons[-1] < main.index("<p")
    for label in ("Llamar al 988", "Enviar AYUDA al 988", "Llamar al 911"):
        assert f">{label}</a>" in main
    assert "Enviar mis respuestas a la clínica ahora" in main

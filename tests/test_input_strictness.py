"""Bad input posted to the real pages: 400, the app's own message, nothing stored, nothing lost."""

import re

import pytest
from sqlalchemy import select

from screening.database import db
from screening.models import Draft
from tests.helpers import step_number

SERTRALINE = {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "100", "weeks": "8",
              "adherence": "all", "response": "little", "stopped": "not_helping"}
# WTForms' own messages: none may ever reach a patient.
LIBRARY_MESSAGES = ("Not a valid", "not a valid choice", "Invalid Choice", "could not coerce",
                    "Field must be", "This field is required", "Number must be")


def stored(app):
    with app.app_context():
        return db.session.scalar(select(Draft)).answers


def reach_trials(patient):
    patient.begin()
    patient.phq9([2] * 8 + [0])
    patient.answer("phq9_10", {"phq9_10": "1"})
    patient.answer("episode_start", {"episode_range": "gt2y", "earlier_episodes": "no"})
    return step_number("trials")


def assert_refused(response, message):
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    assert message in page
    for library_message in LIBRARY_MESSAGES:
        assert library_message not in page


@pytest.mark.parametrize(("typed", "message"), [
    ("sNaN", "Enter a number using only digits, like 100 or 37.5."),
    ("-sNaN", "Enter a number using only digits, like 100 or 37.5."),
    ("NaN", "Enter a number using only digits, like 100 or 37.5."),
    ("Infinity", "Enter a number using only digits, like 100 or 37.5."),
    ("1E+999999999", "Enter a number using only digits, like 100 or 37.5."),
    ("1E-999990", "Enter a number using only digits, like 100 or 37.5."),
    ("1" * 5_000, "Enter a number using only digits, like 100 or 37.5."),
    ("-5", "Enter a number using only digits, like 100 or 37.5."),
    ("100 pills", "Enter the number only, like 100."),
    ("9000", "Enter a number from 0 to 5000."),
])
def test_a_bad_dose_is_refused_stored_never_and_the_other_answers_kept(app, client, patient,
                                                                        typed, message):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": typed})
    assert_refused(response, message)
    page = response.get_data(as_text=True)
    assert re.search(r'<option selected value="sertraline">', page)
    assert re.search(r'id="adherence-0"[^>]*value="all" checked', page)
    assert 'value="8"' in page
    assert "trials" not in stored(app)


@pytest.mark.parametrize(("typed", "kept"), [("37,5", "37.5"), ("37.5", "37.5"),
                                             ("100 mg", "100"), (" 100 ", "100")])
def test_a_dose_with_a_comma_a_point_or_mg_is_read(app, client, patient, typed, kept):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": typed})
    assert response.status_code == 302
    assert stored(app)["trials"][0]["dose_mg"] == kept


@pytest.mark.parametrize(("weeks", "message"), [
    ("8,5", "Enter a whole number, like 8."), ("sNaN", "Enter a number using only digits"),
    ("1e2", "Enter a number using only digits"), ("5000", "Enter a number from 0 to 1000."),
])
def test_bad_weeks_are_refused(app, client, patient, weeks, message):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"weeks": weeks})
    assert_refused(response, message)


def test_a_typed_name_never_replaces_the_medicine_chosen_from_the_list(app, client, patient):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1",
                           data=SERTRALINE | {"other_name": "Agomelatine"})
    assert_refused(response, "You chose a medicine from the list and also typed a name.")
    assert "trials" not in stored(app)


def test_an_answer_not_offered_gets_the_apps_message(app, client, patient):
    number = reach_trials(patient)
    for field, value in (("medicine", "aspirin"), ("adherence", "sometimes"),
                         ("response", "<script>")):
        response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {field: value})
        assert_refused(response, "Choose one of the answers shown.")
    response = patient.answer("phq9_1", {"phq9_1": "7"})
    assert_refused(response, "Choose one of the answers shown.")


def test_none_of_these_with_another_choice_is_refused(app, client, patient):
    number = reach_trials(patient)
    client.post(f"/step/{number}/item/a1", data=SERTRALINE)
    client.post(f"/step/{number}")
    response = patient.answer("augmentation", {"augmentation": ["none", "lithium"]})
    assert_refused(response, "“None of these” cannot be chosen together with another answer.")
    assert "augmentation" not in stored(app)
    response = patient.answer("augmentation", {"augmentation": ["lithium", "bogus"]})
    assert_refused(response, "Choose one of the answers shown.")


def test_adherence_has_an_answer_below_some_days(app, client, patient):
    number = reach_trials(patient)
    page = client.get(client.get(f"/step/{number}/item/new").headers["Location"]).text
    assert "Rarely, or not sure" in page
    client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"adherence": "rarely"})
    assert stored(app)["trials"][0]["adherence"] == "rarely"


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Enter the year, or choose roughly how long ago it began."),
    ({"episode_month": "1", "episode_year": "2099"}, "This date is in the future."),
    ({"episode_month": "1", "episode_year": "1e3"}, "Enter a number using only digits"),
    ({"episode_month": "13", "episode_year": "2020"}, "Choose one of the answers shown."),
    ({"episode_range": "forever"}, "Choose one of the answers shown."),
])
def test_the_onset_must_be_a_real_past_date_or_range(app, client, patient, data, message):
    reach_trials(patient)
    response = patient.answer("episode_start", data | {"earlier_episodes": "yes"})
    assert_refused(response, message)
    assert re.search(r'value="yes" checked', response.text)


def test_the_onset_cannot_be_skipped_by_resuming(app, client, patient):
    patient.begin()
    patient.phq9([0] * 9)
    response = client.post(f"/step/{step_number('episode_start')}",
                           data={"earlier_episodes": "no"})
    assert response.status_code == 400
    assert client.post("/begin").headers["Location"].endswith(
        f"/step/{step_number('episode_start')}")
    later = client.get(f"/step/{step_number('psychotherapy')}")
    assert later.headers["Location"].endswith(f"/step/{step_number('episode_start')}")


def test_the_ranges_do_not_overlap():
    from screening.domain.questions import all_questions
    labels = [o.label for o in all_questions()["episode_range"].options]
    assert labels == ["Less than 6 months ago", "6 to 12 months ago",
                      "More than 1 year ago, up to 2 years", "More than 2 years ago"]


def test_the_augmentation_question_waits_for_an_antidepressant(client, patient):
    reach_trials(patient)
    augmentation = client.get(f"/step/{step_number('augmentation')}")
    assert augmentation.status_code == 302


def test_a_spanish_patient_gets_the_message_in_spanish(app, client, patient):
    number = reach_trials(patient)
    client.post("/language", data={"language": "es", "next": "/"})
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": "sNaN"})
    assert_refused(response, "Escriba un número usando solo cifras, por ejemplo 100 o 37,5.")
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"medicine": "x"})
    assert_refused(response, "Elija una de las respuestas que se muestran.")


def test_an_older_entry_with_a_stray_typed_name_still_shows_the_chosen_medicine(app):
    from screening.domain import flow
    from screening.patient.presenter import repeat_entries
    trials = next(s for s in flow.steps() if s.id == "trials")
    with app.test_request_context():
        entries = repeat_entries(trials, {"trials": [SERTRALINE | {
            "_id": "a1", "other_name": "Agomelatine"}, {
            "_id": "b2", "medicine": "other", "other_name": "Agomelatine"}]})
    assert [e.title for e in entries] == ["sertraline (Zoloft)", "Agomelatine"]

"""Treatment history and medical questions through the Flask client."""

import re

from sqlalchemy import select

from screening.database import db
from screening.models import Draft, Submission
from tests.helpers import reach_trials, step_number

PHQ = {f"phq9_{i}": "2" for i in range(1, 9)} | {"phq9_9": "0", "phq9_10": "1"}
SERTRALINE = {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "100", "weeks": "8",
              "adherence": "all", "response": "little", "stopped": "not_helping"}
BUPROPION = {"medicine": "bupropion", "this_episode": "yes", "dose_unknown": "y", "weeks": "10",
             "adherence": "most", "response": "none", "stopped": "side_effects"}
OTHER = {"medicine": "other", "other_name": "Agomelatine", "this_episode": "no", "dose_mg": "25",
         "weeks_unknown": "y", "adherence": "some", "response": "worse", "stopped": "other"}


def stored(app):
    with app.app_context():
        return db.session.scalar(select(Draft)).answers


def test_episode_needs_a_year_or_a_range(client, patient):
    reach_trials(patient)
    earlier = {"earlier_episodes": "no"}
    response = patient.answer("episode_start", {"episode_month": "3"} | earlier)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the year, or choose roughly how long ago it began." in page
    response = patient.answer("episode_start", {"episode_year": "2024"} | earlier)
    assert "Choose the month as well" in response.get_data(as_text=True)
    response = patient.answer("episode_start", {"episode_range": "1to2y"} | earlier)
    assert response.status_code == 302


def test_add_edit_and_remove_medicines(app, client, patient):
    number = reach_trials(patient)
    for item_id, trial in (("a1", SERTRALINE), ("b2", BUPROPION), ("c3", OTHER)):
        response = client.post(f"/step/{number}/item/{item_id}", data=trial)
        assert response.headers["Location"].endswith(f"/step/{number}")
    page = client.get(f"/step/{number}").get_data(as_text=True)
    assert "You have added 3 medicines" in page
    assert "sertraline (Zoloft)" in page and "Agomelatine" in page
    client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": "150"})
    client.post(f"/step/{number}/item/c3/remove")
    trials = stored(app)["trials"]
    assert [t["_id"] for t in trials] == ["a1", "b2"]
    assert trials[0]["dose_mg"] == "150"


def test_a_double_tap_on_save_adds_the_medicine_once(app, client, patient):
    number = reach_trials(patient)
    client.post(f"/step/{number}/item/x9", data=SERTRALINE)
    client.post(f"/step/{number}/item/x9", data=SERTRALINE)
    assert len(stored(app)["trials"]) == 1


def test_new_medicine_link_gives_a_fresh_form_id(client, patient):
    number = reach_trials(patient)
    first = client.get(f"/step/{number}/item/new").headers["Location"]
    second = client.get(f"/step/{number}/item/new").headers["Location"]
    assert first != second and "/item/" in first


def test_trial_form_explains_what_is_missing(client, patient):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/z1", data={"medicine": "other"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Type the name of the other medicine.", "Choose an answer to continue."):
        assert message in page
    assert re.search(r'<option selected value="other">', page)
    assert 'aria-invalid="None"' not in page and 'inputmode="None"' not in page


def test_medicine_list_is_grouped_with_brand_names(client, patient):
    number = reach_trials(patient)
    page = client.get(client.get(f"/step/{number}/item/new").headers["Location"]) \
        .get_data(as_text=True)
    for group in ("SSRIs", "SNRIs", "Bupropion", "Mirtazapine", "Tricyclic", "MAOIs"):
        assert re.search(rf'<optgroup label="{group}', page), group
    assert "sertraline (Zoloft)" in page and "vortioxetine (Trintellix)" in page


def test_no_medicines_is_an_explicit_answer_and_skips_the_augmentation_question(client, patient):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}")
    assert response.status_code == 400
    assert "Add a medicine, or choose “I have not taken any antidepressant”." in response.text
    response = client.post(f"/step/{number}", data={"answer": "none"})
    assert response.headers["Location"].endswith(f"/step/{step_number('psychotherapy')}")


def test_with_no_medicine_the_main_action_is_adding_one(client, patient):
    page = client.get(f"/step/{reach_trials(patient)}").text
    assert re.search(r'<a class="button" id="add-first"[^>]*>Add a medicine</a>', page)
    assert re.search(r'class="button secondary" name="answer" value="none">'
                     r'I have not taken any antidepressant<', page)


def test_removing_a_medicine_asks_first(app, client, patient):
    number = reach_trials(patient)
    client.post(f"/step/{number}/item/a1", data=SERTRALINE)
    page = client.get(f"/step/{number}").text
    assert f'href="/step/{number}/item/a1/remove"' in page
    confirm = client.get(f"/step/{number}/item/a1/remove")
    assert "Remove sertraline (Zoloft)?" in confirm.text and "No, keep it" in confirm.text
    assert len(stored(app)["trials"]) == 1
    client.post(f"/step/{number}/item/a1/remove")
    assert stored(app)["trials"] == []


def test_save_and_add_another_opens_a_fresh_medicine(app, client, patient):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"then": "another"})
    assert response.headers["Location"].endswith(f"/step/{number}/item/new")
    assert len(stored(app)["trials"]) == 1


def test_a_dose_left_empty_is_stored_as_not_known(app, client, patient):
    number = reach_trials(patient)
    client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": "", "weeks": ""})
    client.post(f"/step/{number}/item/b2", data=SERTRALINE | {"dose_mg": "37,5"})
    first, second = stored(app)["trials"]
    assert (first["dose_mg"], first["dose_unknown"], first["weeks_unknown"]) == ("", "y", "y")
    assert (second["dose_mg"], second["dose_unknown"]) == ("37.5", "")
    page = client.get(f"/step/{number}").text
    assert "Dose: not known · Weeks: not known" in page and "Dose (mg a day): 37.5" in page


def test_summary_shows_verdict_table_maudsley_and_flags(app, client, patient):
    answers = PHQ | {
        "episode_month": "1", "episode_year": "2020", "trials": [SERTRALINE, BUPROPION, OTHER],
        "augmentation": ["lithium"], "ect": "yes", "aneurysm_avm": "yes",
        "high_blood_pressure": "unsure", "ride_home": "no"}
    patient.complete(answers)
    page = client.get("/summary/print").get_data(as_text=True)
    assert "Possible pattern, dose unconfirmed" in page
    assert "sertraline (Zoloft)" in page and "Agomelatine (other)" in page
    assert "Maudsley Staging Method estimate from self-report" in page
    assert "Label contraindication" in page and "aneurysm" in page
    assert "None is an exclusion" in page
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert len(submission.answers["trials"]) == 3


def test_review_lists_every_new_answer_with_a_change_link(client, patient):
    patient.begin()
    patient.follow_to_review(PHQ | {"trials": [SERTRALINE], "psychotherapy": "yes",
                                    "psychotherapy_type": "cbt", "psychotherapy_sessions": "gt12",
                                    "psychotherapy_response": "little"})
    page = client.get("/review").get_data(as_text=True)
    assert "Medicine 1: sertraline (Zoloft)" in page
    assert "Cognitive behavioural therapy (CBT)" in page
    assert "Will someone" in page or "drive" in page
    assert page.count(">Change<") >= 30


def test_medicine_change_from_review_returns_to_review(client, patient):
    patient.begin()
    patient.follow_to_review(PHQ | {"trials": [SERTRALINE]})
    number = step_number("trials")
    response = client.post(f"/step/{number}/item/test0?change=1", data=SERTRALINE | {
        "weeks": "4"})
    assert response.headers["Location"].endswith(f"/step/{number}?change=1")
    assert client.post(f"/step/{number}?change=1").headers["Location"].endswith("/review")


def test_medicines_cannot_be_added_before_the_earlier_questions(client, patient):
    patient.begin()
    response = client.post(f"/step/{step_number('trials')}/item/early", data=SERTRALINE)
    assert response.headers["Location"].endswith("/step/1")


def sheet_rows(page: str) -> list[str]:
    """Each treatment-table row's text, in order."""
    table = page[page.index('class="answers trials"'):]
    table = table[:table.index("</table>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("<tr>")[2:]]


def test_the_treatment_table_never_contradicts_itself(client, patient):
    still = SERTRALINE | {"stopped": "still"}
    again = SERTRALINE | {"dose_mg": "200", "weeks": "12"}
    patient.complete(PHQ | {"trials": [SERTRALINE, BUPROPION, again, still]})
    page = client.get("/summary/print").get_data(as_text=True)
    rows = sheet_rows(page)
    assert len(rows) == 4
    sertraline, bupropion, second, third = rows
    assert "✔ counts" in sertraline and "Same medicine" not in sertraline
    # An unknown dose never "counts": it would, if the dose were confirmed.
    assert "✔ counts" not in bupropion and "would count if the dose is confirmed" in bupropion
    assert "Dose not known; the minimum on file is 150 mg/day." in bupropion
    # The same medicine again: said so, counted once.
    for row in (second, third):
        assert "Same medicine as an earlier row: counted once." in row
        assert "✔ counts" not in row
    # Why each was stopped, and which one is current.
    assert "It was not helping" in sertraline and "Side effects" in bupropion
    assert "(current)" in third and "Still taking" in third and "(current)" not in sertraline
    # The count in words, never "1 of 2 ... needed".
    assert "1 different antidepressant met the rule (2 needed); 1 more would if its dose is" \
        " confirmed." in page
    assert " of 2 different antidepressants needed" not in page
    start = page.index('id="glance-title"')
    glance = page[start:page.index("</dl>", start)]
    assert "1 different antidepressant met the rule; 2 needed" in glance
    assert "sertraline (Zoloft)" in glance  # the current antidepressant


def test_the_count_reads_in_spanish_too(app, client, patient):
    app.config["CLINIC_LANGUAGE"] = "es"
    patient.complete(PHQ | {"trials": [SERTRALINE, SERTRALINE | {"medicine": "fluoxetine",
                                                                  "dose_mg": "40"}]})
    page = client.get("/summary/print").get_data(as_text=True)
    assert "2 antidepresivos diferentes cumplieron la regla (se necesitan 2)" in page
    assert "De un vistazo" in page

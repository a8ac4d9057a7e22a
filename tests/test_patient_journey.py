"""What the patient is told about time and progress, and what asks before it deletes."""

import re

import pytest

from screening import create_app
from screening.database import db
from screening.domain import flow
from tests.helpers import Patient, step_number


def test_the_start_page_promise_is_honest_for_long_histories(client):
    page = client.get("/").text
    assert "They take about 5 minutes; up to 15 if you have taken several medicines" in page


def test_start_again_asks_before_it_deletes(app, client, patient):
    patient.begin()
    patient.phq9([1, 1])
    start = client.get("/").text
    assert 'href="/restart"' in start and 'action="/restart"' not in start
    confirm = client.get("/restart")
    assert confirm.status_code == 200
    assert "Delete your answers and start again?" in confirm.text
    assert "No, continue where I left off" in confirm.text
    assert client.get("/step/2").status_code == 200  # the answers are still there
    assert client.post("/begin").headers["Location"].endswith("/step/3")
    client.post("/restart")
    assert client.post("/begin").headers["Location"].endswith("/step/1")


@pytest.mark.parametrize(("hours", "wording"), [(72, "within 3 days"), (24, "within 1 day"),
                                                (168, "within 7 days")])
def test_the_done_page_says_how_long_the_code_can_be_looked_up(tmp_path, hours, wording):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db",
                      "STAFF_CODE_LOOKUP_HOURS": hours})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    Patient(client).complete({f"phq9_{i}": "0" for i in range(1, 10)})
    assert f"Show this code at reception {wording}." in client.get("/done").text
    with app.app_context():
        db.engine.dispose()


def parts_seen(answers: dict) -> list[str]:
    path = flow.Path(answers)
    return [flow.part_text(flow.part_of(step)) for step in path.steps]


def test_the_number_of_parts_never_changes_with_the_answers():
    quiet = {f"phq9_{i}": "0" for i in range(1, 10)}
    at_risk = quiet | {"phq9_9": "2", "asq_1": "yes", "asq_5": "yes"}
    for answers in (quiet, at_risk):
        assert {re.search(r"of (\d)", text).group(1) for text in parts_seen(answers)} == {"4"}
    assert parts_seen(at_risk)[9] == "Part 1 of 4: How you have been feeling"  # the safety page
    assert flow.part_text("check", "es") == "Parte 4 de 4: Revisar y enviar sus respuestas"


def test_every_section_belongs_to_one_part():
    sections = [s for part in flow.parts() for s in part.sections]
    assert sorted(sections) == sorted(flow.sections()) and len(sections) == len(set(sections))


def test_pages_show_the_part_and_a_count_only_where_it_is_fixed(client, patient):
    patient.begin()
    page = client.get("/step/1").text
    assert "Part 1 of 4: How you have been feeling" in page and "Question 1 of 9" in page
    patient.phq9([0] * 9)
    page = client.get(f"/step/{step_number('episode_start')}").text
    assert "Part 2 of 4: Treatments you have tried" in page
    assert not re.search(r"step \d+ of \d+", page)


def test_check_your_answers_has_a_back_link_and_its_part(client, patient):
    patient.begin()
    review = patient.follow_to_review({f"phq9_{i}": "0" for i in range(1, 10)}).text
    last = flow.Path({}).steps[-1]
    assert f'<a class="back" href="/step/{last.number}">Back</a>' in review
    assert "Part 4 of 4: Check and send your answers" in review


def test_two_questions_never_share_a_heading():
    from screening.domain.questions import all_questions
    for language in ("en", "es"):
        texts = [q.text for q in all_questions(language).values()]
        assert len(texts) == len(set(texts)), [t for t in texts if texts.count(t) > 1]


ENGLISH_TREATMENT_WORDS = re.compile(
    r"\b(es)?ketamine\b|\blithium\b|en inglés, (ECT|TMS)", re.I)


def test_treatments_read_in_spanish_inside_spanish_sentences(client, patient):
    client.post("/language", data={"language": "es", "next": "/"})
    answers = {f"phq9_{i}": "1" for i in range(1, 10)} | {
        "phq9_10": "1", "asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no",
        "trials": [{"medicine": "sertraline", "this_episode": "yes", "dose_mg": "50",
                    "weeks": "8", "adherence": "all", "response": "none", "stopped": "still"}],
        "augmentation": ["lithium"], "ketamine_before": "both", "ketamine_response": "little"}
    patient.begin()
    review = patient.follow_to_review(answers).text
    pages = [review] + [client.get(f"/step/{s.number}").text
                        for s in flow.Path(answers | {"trials": [{}]}).steps
                        if s.section in ("treatment", "medical")]
    pages.append(client.get(client.get(f"/step/{step_number('trials')}/item/new")
                            .headers["Location"]).text)
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page)  # what is read, not attribute values
        found = ENGLISH_TREATMENT_WORDS.search(text)
        assert found is None, text[max(0, found.start() - 80):found.end() + 40]
    assert "Litio" in review and "ketamina" in review.lower()
    assert 'optgroup label="Bupropión"' in pages[-1]  # the class; medicine names stay as named
    assert "Sí, las dos" in review

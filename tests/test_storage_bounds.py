"""Storage is bounded whatever a request sends (issue 15.2): a number as a bounded number, at most
30 entries in a repeating step, a bounded draft, and new drafts per client address per minute
counted in the database. A refusal is a clear page and keeps what was saved."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from screening.database import db
from screening.domain import bounds
from screening.models import Draft
from tests.helpers import reach_trials

SERTRALINE = {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "100", "weeks": "8",
              "adherence": "all", "response": "little", "stopped": "not_helping"}
START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def stored(app) -> dict:
    with app.app_context():
        return db.session.scalar(select(Draft)).answers


def test_ten_characters_of_number_are_not_stored_as_a_million(app, client, patient):
    number = reach_trials(patient)
    response = client.post(f"/step/{number}/item/a1", data=SERTRALINE | {"dose_mg": "1E-999990"})
    assert response.status_code in (302, 400, 413, 422)
    with app.app_context():
        size = db.session.execute(text("SELECT length(answers) FROM drafts")).scalar()
    assert size < 2000
    trials = stored(app).get("trials", [])
    assert all(len(t.get("dose_mg", "")) <= bounds.MAX_NUMBER for t in trials)


def test_the_31st_medicine_is_refused_with_a_clear_page_and_the_30_are_kept(app, client, patient):
    number = reach_trials(patient)
    for index in range(30):
        response = client.post(f"/step/{number}/item/m{index}", data=SERTRALINE)
        assert response.status_code == 302
    response = client.post(f"/step/{number}/item/m30", data=SERTRALINE)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "up to 30" in page and "Your earlier answers are saved" in page
    assert len(stored(app)["trials"]) == 30
    edited = client.post(f"/step/{number}/item/m0", data=SERTRALINE | {"dose_mg": "150"})
    assert edited.status_code == 302  # changing one of the 30 still works


@pytest.mark.parametrize(("value", "expected"), [
    ("1E-999990", "0"), ("100", "100"), ("12.50", "12.5"), ("0.0001", "0"), ("-0", "0"),
    ("1E+3", "1000"),
])
def test_numbers_are_stored_as_bounded_numbers(value, expected):
    assert bounds.bounded_number(value) == expected


@pytest.mark.parametrize("value", ["1E+999990", "NaN", "sNaN", "Infinity", "x",
                                   "12345678901234567"])
def test_numbers_that_cannot_be_bounded_are_refused(value):
    with pytest.raises(bounds.TooMuchToStore):
        bounds.bounded_number(value)


def test_each_value_is_bounded_by_its_question_and_the_draft_as_a_whole():
    assert bounds.storable({"phq9_1": "3", "trials": [SERTRALINE | {"_id": "a"}]})
    with pytest.raises(bounds.TooMuchToStore):
        bounds.storable({"phq9_1": "3" * 65})
    with pytest.raises(bounds.TooMuchToStore):
        bounds.storable({"trials": [SERTRALINE | {"other_name": "x" * 121, "_id": "a"}]})
    with pytest.raises(bounds.TooMuchToStore):
        bounds.storable({"augmentation": ["none"] * 101})
    with pytest.raises(bounds.TooMuchToStore) as refused:
        bounds.storable({f"note_{n}": "x" * 999 for n in range(70)})
    assert refused.value.reason == "draft"


def test_new_drafts_per_address_per_minute_are_limited_in_the_database(app):
    app.config["DRAFT_STARTS_PER_ADDRESS_MINUTE"] = 5
    with time_machine.travel(START, tick=False) as clock:
        first = app.test_client()
        assert first.post("/begin").status_code == 302
        assert first.post("/step/1", data={"phq9_1": "2"}).status_code == 302
        for _ in range(4):
            assert app.test_client().post("/begin").status_code == 302
        refused = app.test_client().post("/begin", headers={"Accept-Language": "es"})
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        assert 'lang="es"' in refused.get_data(as_text=True)
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        assert elsewhere.post("/begin").status_code == 302
        # The patient who started is not affected: continuing keeps their answers.
        assert first.post("/begin").status_code == 302
        assert first.get("/step/1").status_code == 200
        clock.shift(timedelta(seconds=61))
        assert app.test_client().post("/begin").status_code == 302
    with app.app_context():
        dump = "\n".join(db.session.connection().connection.iterdump())
        rows = db.session.execute(text("SELECT count(*) FROM draft_starts")).scalar()
    assert "127.0.0.1" not in dump and "198.51.100.7" not in dump
    assert rows == 1  # rows older than the minute are deleted

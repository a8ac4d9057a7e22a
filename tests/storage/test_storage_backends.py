"""The store behaves the same on SQLite and PostgreSQL: drafts, submissions, codes and retention."""

from datetime import timedelta
from pathlib import Path

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from screening.clock import utcnow
from screening.database import db
from screening.domain import codes
from screening.models import Draft, Submission
from screening.patient import store

from .helpers import (
    CROCKFORD_CODE,
    PostRecorder,
    displayed_code,
    full_answers,
    unchecked_keys,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_test_starts_from_an_empty_schema(app):
    with app.app_context():
        assert _count(Draft) == 0
        assert _count(Submission) == 0


def test_draft_round_trip_merges_steps(app):
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token, language="es")
        store.save_answers(token, {"phq9_1": "1"})
        store.save_answers(token, {"phq9_2": "3"})
        store.save_answers(token, {"phq9_1": "2"})  # Change link: the later answer wins
    with app.app_context():  # a fresh session: what comes back is what the database holds
        draft = store.find_draft(token, max_age_hours=72)
        assert draft is not None
        assert draft.answers == {"phq9_1": "2", "phq9_2": "3"}
        assert draft.language == "es"
        assert draft.updated_at.tzinfo is not None
        assert abs(utcnow() - draft.updated_at) < timedelta(minutes=1)
        assert store.find_draft(store.new_draft_token(), max_age_hours=72) is None
        assert store.find_draft(None, max_age_hours=72) is None
        assert _count(Draft) == 1


def test_the_draft_read_says_whether_it_was_already_sent(app):
    sent, open_ = store.new_draft_token(), store.new_draft_token()
    with app.app_context():
        for token in (sent, open_):
            store.create_draft(token)
            store.save_answers(token, {f"phq9_{n}": "1" for n in range(1, 10)})
        store.submit(sent, store.find_draft(sent, 72))
    with app.app_context():
        assert store.find_draft(sent, 72).submitted is True
        assert store.find_draft(open_, 72).submitted is False
        assert store.find_draft(open_, 72).answers["phq9_9"] == "1"


def test_the_cookie_token_is_never_stored(app):
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token)
        stored = db.session.scalar(select(Draft.token_hash))
    assert stored != token
    assert len(stored) == 64


def test_full_patient_flow_records_exactly_what_was_sent(app, patient):
    sent = PostRecorder(patient.client)
    response = patient.complete(full_answers())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/done")
    done = patient.client.get("/done")
    assert done.status_code == 200
    expected = sent.sent_answers()
    assert expected["safety_seen"] == "yes"  # the safety pathway was walked
    assert {"phq9_9", "asq_4", "phq9_10"} <= set(expected)
    with app.app_context():
        submissions = db.session.scalars(select(Submission)).all()
        assert len(submissions) == 1
        stored = submissions[0].answers
        assert {key: stored.get(key) for key in expected} == expected
        assert set(stored) - set(expected) - {"safety_history"} <= unchecked_keys()
        # The server's own record of every safety answer sent, in order (DESIGN.md §2).
        history = [(e["question"], e["answer"]) for e in stored["safety_history"]
                   if "question" in e]
        assert history == [(k, expected[k]) for k in expected
                           if k == "phq9_9" or k.startswith("asq_")]
        assert "asq_5" not in stored
        assert submissions[0].safety_level != "none"
        assert displayed_code(done.get_data(as_text=True)) == submissions[0].code
    # Sending again changes nothing.
    again = patient.client.post("/submit")
    assert again.headers["Location"].endswith("/done")
    with app.app_context():
        assert _count(Submission) == 1


def test_submission_codes_are_crockford_and_unique(app):
    with app.app_context():
        submitted = []
        for _ in range(25):
            token = store.new_draft_token()
            store.create_draft(token)
            store.save_answers(token, {f"phq9_{n}": "0" for n in range(1, 10)})
            submitted.append(store.submit(token, store.find_draft(token, 72)).code)
        found = db.session.scalars(select(Submission.code)).all()
    assert len(found) == 25
    assert all(CROCKFORD_CODE.match(code) for code in found), found
    assert len(set(found)) == 25
    assert sorted(submitted) == sorted(found)


def test_a_colliding_code_is_drawn_again(app, monkeypatch):
    with app.app_context():
        first = store.new_draft_token()
        store.create_draft(first)
        taken = store.submit(first, store.find_draft(first, 72)).code
        draws = iter([taken, taken, "ABCDEFGH"])
        monkeypatch.setattr(codes, "new_code", lambda: next(draws))
        second = store.new_draft_token()
        store.create_draft(second)
        submission = store.submit(second, store.find_draft(second, 72))
        assert submission is not None
        assert submission.code == "ABCDEFGH"
        assert _count(Submission) == 2


def test_the_database_refuses_a_duplicate_code(app):
    def row(key: str) -> Submission:
        return Submission(public_id=key * 43, draft_key=key * 64, code="ABCDEFGH", answers={},
                          instrument_version="test")

    with app.app_context():
        db.session.add(row("a"))
        db.session.commit()
        db.session.add(row("b"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert _count(Submission) == 1


def _draft_updated(key: str, when) -> Draft:
    return Draft(token_hash=key * 64, answers={"phq9_1": "1"}, created_at=when, updated_at=when)


def _submission_created(key: str, when) -> Submission:
    return Submission(public_id=key * 43, draft_key=key * 64, code=key * 8,
                      answers={"phq9_1": "1"}, instrument_version="test", created_at=when)


def test_purge_drafts_boundary_is_72_hours(app):
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            _draft_updated("k", now - timedelta(hours=72) + timedelta(minutes=1)),
            _draft_updated("d", now - timedelta(hours=72) - timedelta(minutes=1)),
        ])
        db.session.commit()
    with app.app_context():
        assert store.purge_drafts(now, 72) == 1
    with app.app_context():
        assert db.session.scalars(select(Draft.token_hash)).all() == ["k" * 64]


def test_purge_submissions_boundary_is_30_days(app):
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            _submission_created("K", now - timedelta(days=30) + timedelta(minutes=1)),
            _submission_created("D", now - timedelta(days=30) - timedelta(minutes=1)),
        ])
        db.session.commit()
    with app.app_context():
        assert store.purge_submissions(now, 30) == 1
    with app.app_context():
        assert db.session.scalars(select(Submission.code)).all() == ["K" * 8]


def test_expired_draft_is_not_found_even_before_the_purge(app):
    with app.app_context():
        db.session.add(_draft_updated("e", utcnow() - timedelta(hours=72, minutes=1)))
        db.session.commit()
        assert db.session.scalar(select(Draft).where(Draft.token_hash == "e" * 64)) is not None
    # find_draft hashes the token; a stored row with an old updated_at must not resume.
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token)
        db.session.execute(
            Draft.__table__.update().values(updated_at=utcnow() - timedelta(hours=73))
        )
        db.session.commit()
        assert store.find_draft(token, 72) is None


def test_purge_command(app):
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            _draft_updated("k", now - timedelta(hours=71)),
            _draft_updated("d", now - timedelta(hours=73)),
            _submission_created("K", now - timedelta(days=29)),
            _submission_created("D", now - timedelta(days=31)),
        ])
        db.session.commit()
    # FlaskGroup is what `flask --app screening purge` runs: it pushes the app context itself.
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), args=["purge"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Purged 1 drafts and 1 submissions." in result.output
    with app.app_context():
        assert db.session.scalars(select(Draft.token_hash)).all() == ["k" * 64]
        assert db.session.scalars(select(Submission.code)).all() == ["K" * 8]


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_purged_answers_do_not_remain_in_the_sqlite_file(app):
    canary = "CANARY-PURGE-5d1e"
    with app.app_context():
        draft = _draft_updated("c", utcnow() - timedelta(hours=80))
        draft.answers = {"trials": [{"medicine": "other", "other_name": canary}]}
        db.session.add(draft)
        db.session.commit()
        path = db.engine.url.database
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), args=["purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    for suffix in ("", "-wal"):
        file = Path(path + suffix)
        if file.exists():
            assert canary.encode() not in file.read_bytes()

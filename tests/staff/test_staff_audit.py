"""The audit trail: exactly one row per staff action, and rows that cannot be changed."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from screening.clock import utcnow
from screening.database import db
from screening.patient import store
from screening.staff.models import AuditEvent
from tests.staff.helpers import ACUTE, audit_rows, sign_in


def test_a_scripted_shift_leaves_exactly_the_expected_rows(app, staff_client, make_user, submit):
    found = submit(ACUTE)
    user = make_user("dr.lee", role="clinician")
    sign_in(staff_client, user)
    assert staff_client.post("/staff/lookup", data={"code": "00000000"}).status_code == 404
    response = staff_client.post("/staff/lookup", data={"code": found.code.lower()})
    staff_client.get(response.location)
    printed = staff_client.post(f"/staff/submissions/{found.public_id}/print")
    staff_client.get(printed.location)
    staff_client.post(f"/staff/submissions/{found.public_id}/acknowledge")
    staff_client.post("/staff/logout")
    me, pid = user.id, found.public_id
    assert audit_rows(app) == [
        ("account_create", "success", None, str(me)),
        ("login_password", "success", me, str(me)),
        ("login", "success", me, str(me)),
        ("lookup", "failure", me, None),
        ("lookup", "success", me, pid),
        ("view", "success", me, pid),
        ("print", "success", me, pid),
        ("view_print", "success", me, pid),
        ("acknowledge", "success", me, pid),
        ("logout", "success", me, str(me)),
    ]
    with app.app_context():
        events = db.session.query(AuditEvent).all()
        assert all(e.at.tzinfo is not None and e.at <= utcnow() for e in events)
        assert {e.source for e in events} == {"web", "cli"}


def test_opening_the_queue_leaves_an_audit_row(app, staff_client, make_user, submit):
    submit(ACUTE)
    user = make_user()
    sign_in(staff_client, user)
    before = len(audit_rows(app))
    assert staff_client.get("/staff/").status_code == 200
    assert audit_rows(app)[before:] == [("queue", "success", user.id, None)]


def test_failed_sign_ins_are_recorded_without_the_typed_username(app, staff_client, make_user):
    make_user()
    staff_client.post("/staff/login", data={"username": "alice", "password": "not it at all"})
    staff_client.post("/staff/login", data={"username": "secret-typo", "password": "nope nope"})
    assert audit_rows(app)[-2:] == [("login", "failure", 1, "1"), ("login", "failure", None, None)]
    assert "secret-typo" not in str(audit_rows(app))


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET outcome = 'success'",
    "UPDATE audit_events SET user_id = NULL WHERE id = 1",
    "DELETE FROM audit_events",
    "DELETE FROM audit_events WHERE id = 1",
])
def test_the_audit_table_refuses_update_and_delete_on_sqlite(app, make_user, statement):
    make_user()
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.query(AuditEvent).count() == 1


REWRITES = [
    "INSERT OR REPLACE INTO audit_events (id, at, action, outcome, source) "
    "VALUES (1, CURRENT_TIMESTAMP, 'login', 'forged', 'web')",
    "REPLACE INTO audit_events (id, at, action, outcome, source) "
    "VALUES (1, CURRENT_TIMESTAMP, 'login', 'forged', 'web')",
    "INSERT INTO audit_events (id, at, action, outcome, source) "
    "VALUES (1, CURRENT_TIMESTAMP, 'login', 'forged', 'web') "
    "ON CONFLICT (id) DO UPDATE SET outcome = 'forged'",
]


@pytest.mark.parametrize("statement", REWRITES)
def test_an_audit_row_cannot_be_rewritten_by_insert_or_replace_on_sqlite(app, make_user,
                                                                       statement):
    make_user()
    with app.app_context():
        before = [(e.id, e.action, e.outcome) for e in db.session.query(AuditEvent)]
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert [(e.id, e.action, e.outcome) for e in db.session.query(AuditEvent)] == before


def test_purging_submissions_keeps_their_audit_rows(app, staff_client, make_user, submit):
    found = submit(ACUTE)
    sign_in(staff_client, make_user())
    staff_client.get(f"/staff/submissions/{found.public_id}")
    with app.app_context():
        before = db.session.query(AuditEvent).count()
        assert store.purge_submissions(utcnow() + timedelta(days=31), 30) == 1
        assert db.session.query(AuditEvent).count() == before


@pytest.mark.postgres
def test_the_audit_table_refuses_update_delete_and_truncate_on_postgresql(tmp_path):
    from screening import create_app
    from tests.storage.postgres import running_postgres

    with running_postgres() as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            db.session.add(AuditEvent(action="login", outcome="success", user_id=1))
            db.session.commit()
            for statement in ("UPDATE audit_events SET outcome = 'failure'",
                              "DELETE FROM audit_events", "TRUNCATE audit_events",
                              REWRITES[2], REWRITES[2].split(" ON CONFLICT")[0]):
                with pytest.raises(DBAPIError, match="append-only"):
                    db.session.execute(text(statement))
                db.session.rollback()
            assert db.session.query(AuditEvent).count() == 1
            db.session.remove()
            db.engine.dispose()

"""A database still locked after the busy timeout: one answer on patient and staff pages alike,
503 with Retry-After and a page that sends what was typed again."""

import re
import sqlite3
from contextlib import contextmanager

import pytest

from screening import create_app
from screening.database import db
from tests.helpers import HttpsClient, Patient
from tests.staff.helpers import create_account, sign_in

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def quick_app(tmp_path):
    """Gives up on a lock after 0.2 s, so the test does not wait the production 5 s."""
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLITE_BUSY_TIMEOUT_MS": 200,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'busy.db'}"})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def locked(app):
    locker = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
                             isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_a_patient_step_comes_back_with_the_answer_kept_and_can_be_sent_again(quick_app):
    patient = Patient(quick_app.test_client())
    patient.begin()
    with locked(quick_app):
        busy = patient.client.post("/step/1", data={"phq9_1": "2"})
    assert busy.status_code == 503
    assert busy.headers["Retry-After"].isdigit()
    assert ("phq9_1", "2") in HIDDEN.findall(busy.text)
    assert 'action="/step/1"' in busy.text
    again = patient.client.post("/step/1", data=dict(HIDDEN.findall(busy.text)))
    assert again.status_code == 302


def test_a_staff_lookup_comes_back_with_the_code_kept_and_never_the_password(quick_app):
    quick_app.test_client_class = HttpsClient
    desk = quick_app.test_client()
    user = create_account(quick_app)
    sign_in(desk, user)
    with locked(quick_app):
        busy = desk.post("/staff/lookup", data={"code": "K0M1-D3Q9"})
        refused = quick_app.test_client().post(
            "/staff/login", data={"username": "alice", "password": "secret words here"})
    assert busy.status_code == refused.status_code == 503
    assert busy.headers["Retry-After"] == refused.headers["Retry-After"]
    assert ("code", "K0M1-D3Q9") in HIDDEN.findall(busy.text)
    assert "secret words here" not in refused.text
    assert ("username", "alice") in HIDDEN.findall(refused.text)

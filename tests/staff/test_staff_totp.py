"""TOTP: on by default, enrolment with a QR code the CSP allows, single-use codes, ±1 step."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from sqlalchemy import select

from screening import create_app
from screening.database import db
from screening.staff.models import StaffUser
from tests.helpers import HttpsClient
from tests.staff.helpers import PASSWORD, audit_rows, create_account, current_code

NOON = datetime(2026, 3, 10, 16, 0, 5, tzinfo=UTC)


def password_step(client, user):
    response = client.post("/staff/login", data={"username": user.username,
                                                 "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_step(client, code):
    return client.post("/staff/login/code", data={"code": code})


def test_totp_is_required_by_default(app):
    assert app.config["STAFF_TOTP_REQUIRED"] is True


def test_a_valid_code_signs_in(staff_client, make_user):
    user = make_user()
    with time_machine.travel(NOON, tick=False):
        assert password_step(staff_client, user).location.endswith("/staff/login/code")
        response = code_step(staff_client, current_code(user))
    assert response.status_code == 302 and response.location.endswith("/staff/")


def test_a_used_code_is_refused_the_second_time(app, make_user):
    user = make_user()
    first, second = (app.test_client() for _ in range(2))
    with time_machine.travel(NOON, tick=False):
        code = current_code(user)
        password_step(first, user)
        assert code_step(first, code).status_code == 302
        password_step(second, user)
        refused = code_step(second, code)
    assert refused.status_code == 401
    assert "That code was not accepted" in refused.get_data(as_text=True)
    assert second.get("/staff/").status_code == 302


def test_an_older_code_is_refused_after_a_newer_one_was_used(staff_client, make_user):
    user = make_user()
    with time_machine.travel(NOON, tick=False):
        password_step(staff_client, user)
        assert code_step(staff_client, current_code(user)).status_code == 302
        password_step(staff_client, user)
        previous = current_code(user, NOON - timedelta(seconds=30))
        assert code_step(staff_client, previous).status_code == 401


def test_one_step_of_drift_is_allowed_either_way(make_user, app):
    user = make_user()
    with time_machine.travel(NOON, tick=False):
        for offset in (-30, 30):
            client = HttpsClient(app, app.response_class)
            password_step(client, user)
            code = current_code(user, NOON + timedelta(seconds=offset))
            assert code_step(client, code).status_code == 302, offset


def test_a_code_two_steps_old_is_refused(staff_client, make_user):
    user = make_user()
    with time_machine.travel(NOON, tick=False):
        password_step(staff_client, user)
        stale = current_code(user, NOON - timedelta(seconds=60))
        assert stale != current_code(user)
        assert code_step(staff_client, stale).status_code == 401
        assert code_step(staff_client, current_code(user)).status_code == 302


def test_wrong_codes_are_audited_as_failed_sign_ins(app, staff_client, make_user):
    user = make_user()
    password_step(staff_client, user)
    code_step(staff_client, "000000" if current_code(user) != "000000" else "111111")
    assert audit_rows(app)[-2:] == [("login_password", "success", 1, "1"),
                                    ("login", "failure", 1, "1")]


def test_first_sign_in_enrols_with_a_csp_safe_qr_code_and_the_key_in_text(
        app, staff_client, make_user):
    user = make_user(enrolled=False)
    assert password_step(staff_client, user).location.endswith("/staff/login/enrol")
    page = staff_client.get("/staff/login/enrol").get_data(as_text=True)
    with app.app_context():
        secret = db.session.scalar(select(StaffUser.totp_secret))
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "style=" not in svg and "<script" not in svg
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    staff_client.get("/staff/login/enrol")
    with app.app_context():  # reloading the page changes nothing
        assert db.session.scalar(select(StaffUser.totp_secret)) == secret
    wrong = staff_client.post("/staff/login/enrol", data={"code": "12345"})
    assert wrong.status_code == 400
    response = staff_client.post("/staff/login/enrol",
                                 data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/staff/")
    with app.app_context():
        assert db.session.scalar(select(StaffUser.totp_enrolled_at)) is not None
    assert ("totp_enrol", "success", 1, "1") in audit_rows(app)


def test_enrolled_users_cannot_see_the_secret_again(staff_client, make_user):
    user = make_user()
    password_step(staff_client, user)
    assert staff_client.get("/staff/login/enrol").location.endswith("/staff/login/code")


def test_totp_can_be_switched_off_as_a_documented_deviation(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "STAFF_TOTP_REQUIRED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'nototp.db'}"})
    with app.app_context():
        db.create_all()
    user = create_account(app, enrolled=False)
    client = HttpsClient(app, app.response_class)
    response = client.post("/staff/login", data={"username": user.username,
                                                 "password": PASSWORD})
    assert response.location.endswith("/staff/")
    assert client.get("/staff/").status_code == 200

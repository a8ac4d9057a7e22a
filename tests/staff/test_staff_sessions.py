"""Server-side staff sessions: cookie flags, a new id at sign-in, logout that revokes a copied
cookie, 15 minutes idle and 8 hours absolute (security-performance.md A1)."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from screening.database import db
from screening.staff.models import StaffSession
from tests.helpers import HttpsClient
from tests.staff.helpers import (
    COOKIE,
    PASSWORD,
    cookie_value,
    current_code,
    forget_used_codes,
    sign_in,
    staff_cookie,
)

MORNING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def fresh_client(app, cookie: str):
    client = HttpsClient(app, app.response_class)
    client.set_cookie(COOKIE, cookie, domain="localhost", secure=True, path="/")
    return client


def session_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StaffSession))


def test_cookie_is_host_prefixed_secure_httponly_strict_session_cookie(staff_client, make_user):
    user = make_user()
    first = staff_client.post("/staff/login", data={"username": user.username,
                                                    "password": PASSWORD})
    second = staff_client.post("/staff/login/code", data={"code": current_code(user)})
    for response in (first, second):
        header = staff_cookie(response)
        assert header is not None
        attributes = [part.strip() for part in header.split(";")]
        assert attributes[0].startswith("__Host-staff=")
        assert {"Secure", "HttpOnly", "SameSite=Strict", "Path=/"} <= set(attributes)
        assert not any(a.lower().startswith(("domain", "expires", "max-age")) for a in attributes)
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie_value(header))  # 256 bits


def test_only_the_sha256_of_the_token_is_stored(app, staff_client, make_user):
    token = cookie_value(staff_cookie(sign_in(staff_client, make_user())))
    with app.app_context():
        stored = db.session.scalars(select(StaffSession.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_signing_in_issues_a_new_session_id_and_the_old_one_stops_working(
        app, staff_client, make_user):
    user = make_user()
    first = sign_in(staff_client, user)
    old_token = cookie_value(staff_cookie(first))
    second = sign_in(staff_client, user)  # signing in again from the same browser
    new_token = cookie_value(staff_cookie(second))
    assert new_token != old_token
    assert fresh_client(app, old_token).get("/staff/").status_code == 302
    assert fresh_client(app, new_token).get("/staff/").status_code == 200


def test_password_step_token_is_replaced_at_the_code_step(app, staff_client, make_user):
    user = make_user()
    pending = staff_client.post("/staff/login", data={"username": user.username,
                                                      "password": PASSWORD})
    full = staff_client.post("/staff/login/code", data={"code": current_code(user)})
    assert cookie_value(staff_cookie(pending)) != cookie_value(staff_cookie(full))
    assert session_rows(app) == 1


def test_a_copied_cookie_fails_after_logout(app, staff_client, make_user):
    copied = cookie_value(staff_cookie(sign_in(staff_client, make_user())))
    assert fresh_client(app, copied).get("/staff/").status_code == 200
    response = staff_client.post("/staff/logout")
    assert response.status_code == 200
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert staff_cookie(response).startswith("__Host-staff=;")
    assert "Signed in as" not in response.get_data(as_text=True)
    assert session_rows(app) == 0
    replay = fresh_client(app, copied).get("/staff/")
    assert replay.status_code == 302 and replay.location.endswith("/staff/login")
    assert fresh_client(app, copied).post("/staff/lookup", data={"code": "x"}).status_code == 401


def test_idle_timeout_is_fifteen_minutes(app, staff_client, make_user):
    user = make_user()
    with time_machine.travel(MORNING, tick=False) as clock:
        copied = cookie_value(staff_cookie(sign_in(staff_client, user)))
        clock.shift(timedelta(minutes=14, seconds=59))
        assert staff_client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=14, seconds=59))
        assert staff_client.get("/staff/lookup").status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))
        response = fresh_client(app, copied).get("/staff/")  # the server decides, not the cookie
        assert response.status_code == 302 and response.location.endswith("/staff/login")
        assert staff_client.get("/staff/").status_code == 302
    assert session_rows(app) == 0


def test_absolute_lifetime_is_eight_hours_however_active(staff_client, make_user):
    user = make_user()
    with time_machine.travel(MORNING, tick=False) as clock:
        sign_in(staff_client, user)
        for _ in range(8 * 12):  # a request every 5 minutes for 8 hours
            clock.shift(timedelta(minutes=5))
            assert staff_client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=1))
        assert staff_client.get("/staff/").location.endswith("/staff/login")


def test_the_code_page_expires_five_minutes_after_the_password(staff_client, make_user):
    user = make_user()
    with time_machine.travel(MORNING, tick=False) as clock:
        staff_client.post("/staff/login", data={"username": user.username, "password": PASSWORD})
        clock.shift(timedelta(minutes=5, seconds=1))
        response = staff_client.post("/staff/login/code", data={"code": current_code(user)})
        assert response.location.endswith("/staff/login")


def test_disabling_an_account_ends_its_sessions(app, staff_client, make_user, runner):
    user = make_user()
    sign_in(staff_client, user)
    assert runner.invoke(args=["staff", "disable", user.username]).exit_code == 0
    assert staff_client.get("/staff/").status_code == 302
    forget_used_codes(app, user)
    response = staff_client.post("/staff/login", data={"username": user.username,
                                                       "password": PASSWORD})
    assert response.status_code == 401


def test_plain_http_development_may_rename_the_cookie_and_drop_secure(app, make_user):
    """`__Host-` always carries Secure (Chromium keeps it on http://127.0.0.1); a renamed
    cookie for browsers that do not follows the request's scheme."""
    user = make_user()
    http = app.test_client()
    response = http.post("/staff/login", data={"username": user.username, "password": PASSWORD})
    assert "Secure" in staff_cookie(response)
    app.config["STAFF_COOKIE_NAME"] = "staff"
    forget_used_codes(app, user)
    response = app.test_client().post("/staff/login", data={"username": user.username,
                                                            "password": PASSWORD})
    header = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("staff="))
    assert "Secure" not in header and "HttpOnly" in header and "SameSite=Strict" in header

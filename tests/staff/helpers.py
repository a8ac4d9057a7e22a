"""Helpers the staff tests share: accounts, signing in, TOTP codes, audit rows."""

from datetime import UTC, datetime

import pyotp
from sqlalchemy import select, update

from screening.database import db
from screening.staff import auth as staff_auth
from screening.staff import store as staff_store
from screening.staff.models import AuditEvent, StaffUser

PASSWORD = "correct horse battery staple"
COOKIE = "__Host-staff"
PHQ9_17_SAFE = {f"phq9_{i}": "2" for i in range(1, 9)} | {"phq9_9": "1", "phq9_10": "2",
                                                         "asq_1": "no", "asq_2": "no",
                                                         "asq_3": "no", "asq_4": "no"}
NONE_FLAGGED = {f"phq9_{i}": "1" for i in range(1, 9)} | {"phq9_9": "0", "phq9_10": "1"}
ACUTE = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes", "phq9_10": "3"}


def create_account(app, username="alice", role="reception", password=PASSWORD, enrolled=True,
                   expires_at=None):
    """Create an account as the CLI would; `enrolled` gives it an authenticator secret."""
    with app.test_request_context():
        user = staff_store.create_user(username, role, staff_auth.hash_password(password),
                                       "account_create", expires_at)
        if enrolled:
            db.session.execute(update(StaffUser).where(StaffUser.id == user.id).values(
                totp_secret=pyotp.random_base32(), totp_enrolled_at=datetime.now(UTC)))
            db.session.commit()
        user = db.session.get(StaffUser, user.id)
        db.session.expunge(user)
        return user


def current_code(user, at: datetime | None = None) -> str:
    return pyotp.TOTP(user.totp_secret).at(at or datetime.now(UTC))


def forget_used_codes(app, user) -> None:
    """Test convenience: let the same user sign in twice within one 30-second step."""
    with app.app_context():
        db.session.execute(update(StaffUser).where(StaffUser.id == user.id)
                           .values(totp_last_step=None))
        db.session.commit()


def sign_in(client, user, password=PASSWORD):
    """Password page, then the code page; returns the final response."""
    forget_used_codes(client.application, user)
    response = client.post("/staff/login", data={"username": user.username, "password": password})
    assert response.status_code == 302 and response.location.endswith("/staff/login/code"), \
        response.get_data(as_text=True)[:400]
    response = client.post("/staff/login/code", data={"code": current_code(user)})
    assert response.status_code == 302 and response.location.endswith("/staff/"), response.data
    return response


def staff_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(COOKIE + "="):
            return header
    return None


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def audit_rows(app) -> list[tuple]:
    with app.app_context():
        return [(e.action, e.outcome, e.user_id, e.object_id)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


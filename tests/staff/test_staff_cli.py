"""`flask staff ...`: create, list, disable, reset, emergency access and the day export."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import time_machine
from sqlalchemy import select

from screening.database import db
from screening.staff.models import StaffUser
from tests.helpers import HttpsClient
from tests.staff.helpers import ACUTE, PASSWORD, audit_rows, current_code, forget_used_codes

OTHER = "a different long passphrase"


def staff(runner, *args, password=None, stdin=True):
    extra = ["--password-stdin"] if password is not None and stdin else []
    return runner.invoke(args=["staff", *args, *extra],
                         input=None if password is None else f"{password}\n")


def account(app, username):
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def sign_in_status(app, username, password=PASSWORD) -> str:
    client = HttpsClient(app, app.response_class)
    response = client.post("/staff/login", data={"username": username, "password": password})
    return response.location.rsplit("/", 1)[-1] if response.status_code == 302 else "refused"


def test_create_with_a_prompt_asks_twice(app, runner):
    result = runner.invoke(args=["staff", "create", "Bob.Smith", "--role", "reception"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = account(app, "bob.smith")
    assert user.role == "reception" and user.password_hash.startswith("$argon2id$")
    assert sign_in_status(app, "bob.smith") == "enrol"  # authenticator set up at first sign-in
    mismatch = runner.invoke(args=["staff", "create", "carol", "--role", "reception"],
                             input=f"{PASSWORD}\n{OTHER}\n{PASSWORD}\n{PASSWORD}\n")
    assert "do not match" in mismatch.output and mismatch.exit_code == 0


def test_create_refuses_duplicates_weak_passwords_and_unknown_roles(app, runner):
    assert staff(runner, "create", "dana", "--role", "clinician", password=PASSWORD).exit_code == 0
    again = staff(runner, "create", "DANA", "--role", "reception", password=OTHER)
    assert again.exit_code == 1 and "one per person" in again.output
    weak = staff(runner, "create", "erin", "--role", "reception", password="password1234")
    assert weak.exit_code == 1 and "too common" in weak.output
    short = staff(runner, "create", "erin", "--role", "reception", password="short")
    assert short.exit_code == 1 and "at least 12" in short.output
    assert staff(runner, "create", "erin", "--role", "admin", password=PASSWORD).exit_code == 2
    assert staff(runner, "create", "bad name!", "--role", "reception",
                 password=PASSWORD).exit_code == 2
    assert account(app, "erin") is None


def test_list_shows_role_state_and_authenticator(runner, make_user):
    make_user("fay", role="clinician")
    make_user("gus", enrolled=False)
    assert staff(runner, "disable", "gus").exit_code == 0
    lines = staff(runner, "list").output.splitlines()
    assert lines == ["fay\tclinician\tactive\tauthenticator set up",
                     "gus\treception\tdisabled\tauthenticator not set up"]


def test_disable_stops_sign_in_and_is_audited(app, runner, make_user):
    user = make_user("hal")
    result = staff(runner, "disable", "hal")
    assert result.exit_code == 0
    assert sign_in_status(app, "hal") == "refused"
    assert audit_rows(app)[-2] == ("account_disable", "success", None, str(user.id))
    assert staff(runner, "disable", "nobody").exit_code == 1
    assert staff(runner, "reset", "hal", password=OTHER).exit_code == 0
    assert sign_in_status(app, "hal", OTHER) == "refused"  # a reset does not re-enable
    assert staff(runner, "enable", "hal").exit_code == 0
    assert sign_in_status(app, "hal", OTHER) == "enrol"
    assert ("account_enable", "success", None, str(user.id)) in audit_rows(app)


def test_reset_sets_a_new_password_and_requires_enrolling_again(app, runner, make_user):
    user = make_user("ivy")
    assert sign_in_status(app, "ivy") == "code"
    result = staff(runner, "reset", "ivy", password=OTHER)
    assert result.exit_code == 0, result.output
    reset = account(app, "ivy")
    assert reset.totp_secret is None and reset.totp_enrolled_at is None
    assert sign_in_status(app, "ivy") == "refused"
    assert sign_in_status(app, "ivy", OTHER) == "enrol"
    assert account(app, "ivy").totp_secret not in (None, user.totp_secret)
    assert ("account_reset", "success", None, str(user.id)) in audit_rows(app)


def test_emergency_account_is_a_clinician_that_expires_and_is_audited(app, runner):
    start = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        result = staff(runner, "emergency", "locum", "--hours", "4", password=PASSWORD)
        assert result.exit_code == 0, result.output
        assert "2026-03-10 06:00 UTC" in result.output
        user = account(app, "locum")
        assert user.role == "clinician" and user.expires_at == start + timedelta(hours=4)
        assert audit_rows(app)[-1] == ("account_emergency", "success", None, str(user.id))
        assert "expires 2026-03-10 06:00 UTC" in staff(runner, "list").output

        client = HttpsClient(app, app.response_class)
        client.post("/staff/login", data={"username": "locum", "password": PASSWORD})
        client.get("/staff/login/enrol")  # first sign-in: the authenticator is set up
        user.totp_secret = account(app, "locum").totp_secret
        response = client.post("/staff/login/enrol", data={"code": current_code(user)})
        assert response.location.endswith("/staff/")
        clock.shift(timedelta(hours=3, minutes=59))
        assert client.get("/staff/").status_code == 302  # idle by then; sign in again
        forget_used_codes(app, user)
        assert sign_in_status(app, "locum") == "code"
        clock.shift(timedelta(minutes=1))
        assert sign_in_status(app, "locum") == "refused"
        assert "expired" in staff(runner, "list").output
    assert staff(runner, "emergency", "x2", "--hours", "13", password=PASSWORD).exit_code == 2


def test_an_emergency_session_ends_when_the_account_expires(app, runner):
    start = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        staff(runner, "emergency", "locum", "--hours", "1", password=PASSWORD)
        with app.app_context():
            user = db.session.scalar(select(StaffUser))
            user.totp_secret, user.totp_enrolled_at = pyotp.random_base32(), start
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        client = HttpsClient(app, app.response_class)
        client.post("/staff/login", data={"username": "locum", "password": PASSWORD})
        client.post("/staff/login/code", data={"code": current_code(user)})
        for _ in range(5):
            clock.shift(timedelta(minutes=10))
            assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=10))
        assert client.get("/staff/").status_code == 302


def test_export_day_writes_one_bundle_of_that_days_submissions(app, runner, submit, tmp_path):
    found = [submit(ACUTE), submit(ACUTE)]
    day = found[0].created_at.astimezone(ZoneInfo(app.config["CLINIC_TIMEZONE"])).date()
    outfile = tmp_path / "day.json"
    result = runner.invoke(args=["staff", "export-day", day.isoformat(), str(outfile)])
    assert result.exit_code == 0, result.output
    bundle = json.loads(outfile.read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    # Per submission: the PHQ-9 response, its total Observation and the treatment-history response.
    assert kinds.count("QuestionnaireResponse") == 4 and kinds.count("Observation") == 2
    assert len({entry["fullUrl"] for entry in bundle["entry"]}) == 6
    text = outfile.read_text()
    assert all(f.code not in text and f.public_id not in text for f in found)
    assert audit_rows(app)[-1] == ("export_day", "success", None, day.isoformat())
    empty = tmp_path / "empty.json"
    runner.invoke(args=["staff", "export-day", "2001-01-01", str(empty)])
    assert json.loads(empty.read_text())["entry"] == []

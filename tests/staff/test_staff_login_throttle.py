"""Login throttling per account (in the database, so every worker shares it) and answers that do
not tell an unknown username from a wrong password (security-performance.md A3)."""

import statistics
import time
from datetime import UTC, datetime, timedelta

import time_machine

from screening import create_app
from screening.database import db
from tests.helpers import HttpsClient
from tests.staff.helpers import PASSWORD, audit_rows, current_code

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
GENERIC = "Sign-in details not accepted"


def attempt(client, username, password):
    return client.post("/staff/login", data={"username": username, "password": password})


def same_page(response, username):
    """The page without the username echoed back into the form."""
    return response.get_data(as_text=True).replace(f'value="{username}"', 'value="?"')


def test_unknown_user_and_wrong_password_get_the_same_answer(staff_client, make_user):
    user = make_user()
    unknown = attempt(staff_client, "nobody.here", "wrong password!")
    wrong = attempt(staff_client, user.username, "wrong password!")
    assert unknown.status_code == wrong.status_code == 401
    assert same_page(unknown, "nobody.here") == same_page(wrong, user.username)
    assert GENERIC in unknown.get_data(as_text=True)
    assert unknown.headers.get("Set-Cookie") == wrong.headers.get("Set-Cookie")


def test_disabled_and_expired_accounts_get_the_same_answer(staff_client, make_user, app):
    make_user("gone", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    unknown = attempt(staff_client, "nobody", PASSWORD)
    expired = attempt(staff_client, "gone", PASSWORD)
    assert expired.status_code == unknown.status_code == 401
    assert same_page(expired, "gone") == same_page(unknown, "nobody")


def test_unknown_user_takes_as_long_as_a_wrong_password(app, make_user):
    """Medians of 20 tries each within 20 %: unknown users pay for a dummy argon2 check."""
    users = [make_user(f"user{i}") for i in range(20)]
    client = HttpsClient(app, app.response_class)
    attempt(client, "warm-up", "wrong password!")
    unknown, wrong = [], []
    for index, user in enumerate(users):
        for username, timings in ((f"ghost{index}", unknown), (user.username, wrong)):
            began = time.perf_counter()
            response = attempt(client, username, "wrong password!")
            timings.append(time.perf_counter() - began)
            assert response.status_code == 401
    slow, fast = sorted([statistics.median(unknown), statistics.median(wrong)], reverse=True)
    assert slow / fast < 1.2, (statistics.median(unknown), statistics.median(wrong))


def test_sixth_failure_in_a_minute_is_throttled_even_with_the_right_password(
        app, staff_client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert attempt(staff_client, user.username, "wrong password!").status_code == 401
            clock.shift(timedelta(seconds=10))
        sixth = attempt(staff_client, user.username, "wrong password!")
        right = attempt(staff_client, user.username, PASSWORD)
        assert sixth.status_code == right.status_code == 401
        assert same_page(right, user.username) == same_page(sixth, user.username)
        clock.shift(timedelta(seconds=49))  # the 5th failure was at +40 s: locked until +100 s
        assert attempt(staff_client, user.username, PASSWORD).status_code == 401
        clock.shift(timedelta(seconds=1))
        assert attempt(staff_client, user.username, PASSWORD).status_code == 302
    outcomes = [row[1] for row in audit_rows(app) if row[0].startswith("login")]
    assert outcomes == ["failure"] * 5 + ["throttled"] * 3 + ["success"]


def test_the_wait_doubles_with_each_further_failure_up_to_fifteen_minutes(
        staff_client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            attempt(staff_client, user.username, "wrong password!")
        for wait in (60, 120, 240, 480, 900, 900):
            clock.shift(timedelta(seconds=wait - 1))
            assert attempt(staff_client, user.username, PASSWORD).status_code == 401, wait
            clock.shift(timedelta(seconds=1))
            assert attempt(staff_client, user.username, "wrong password!").status_code == 401
        clock.shift(timedelta(minutes=15))  # never permanent
        assert attempt(staff_client, user.username, PASSWORD).status_code == 302


def test_failures_are_forgotten_after_an_hour(staff_client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            attempt(staff_client, user.username, "wrong password!")
        clock.shift(timedelta(hours=1, seconds=1))
        for _ in range(4):
            attempt(staff_client, user.username, "wrong password!")
        assert attempt(staff_client, user.username, PASSWORD).status_code == 302


def test_unknown_usernames_are_throttled_the_same_way(staff_client):
    with time_machine.travel(START, tick=False):
        responses = [attempt(staff_client, "nobody", "wrong password!") for _ in range(6)]
    assert {r.status_code for r in responses} == {401}


def test_wrong_codes_count_towards_the_same_limit(staff_client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False):
        assert attempt(staff_client, user.username, PASSWORD).status_code == 302
        wrong = "000000" if current_code(user) != "000000" else "111111"
        for _ in range(5):
            assert staff_client.post("/staff/login/code", data={"code": wrong}).status_code == 401
        refused = staff_client.post("/staff/login/code", data={"code": current_code(user)})
        assert refused.status_code == 401
        assert attempt(staff_client, user.username, PASSWORD).status_code == 401


def test_the_limit_is_shared_by_two_workers(app, make_user, tmp_path):
    """Two app instances on one database stand in for two gunicorn workers."""
    user = make_user()
    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED")}})
    workers = [HttpsClient(app, app.response_class), HttpsClient(other, other.response_class)]
    with time_machine.travel(START, tick=False):
        for index in range(5):
            assert attempt(workers[index % 2], user.username, "wrong password!").status_code == 401
        assert attempt(workers[1], user.username, PASSWORD).status_code == 401
        assert attempt(workers[0], user.username, PASSWORD).status_code == 401
    with other.app_context():
        db.engine.dispose()


def from_address(app, address: str):
    """A browser on its own network address (REMOTE_ADDR, as ProxyFix leaves it)."""
    client = HttpsClient(app, app.response_class)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in_from(client, user):
    response = attempt(client, user.username, PASSWORD)
    if response.status_code != 302:
        return response
    return client.post("/staff/login/code", data={"code": current_code(user)})


def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_real_person_out(app, make_user):
    """Failures count per account and client address: the guesser is throttled, the member of
    staff at the desk is not (issue 15.7)."""
    user = make_user()
    stranger, desk = from_address(app, "203.0.113.9"), from_address(app, "198.51.100.7")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(20):
            assert attempt(stranger, user.username, "wrong password!").status_code == 401
            clock.shift(timedelta(seconds=2))
        assert attempt(stranger, user.username, PASSWORD).status_code == 401  # still throttled
        signed_in = sign_in_from(desk, user)
        assert signed_in.status_code == 302 and signed_in.location.endswith("/staff/")
    outcomes = [row[1] for row in audit_rows(app) if row[0].startswith("login")]
    assert outcomes == ["failure"] * 5 + ["throttled"] * 16 + ["success", "success"]


def test_guessing_spread_over_many_addresses_still_meets_an_account_wide_limit(app, make_user):
    app.config["STAFF_LOGIN_ACCOUNT_MAX_FAILURES"] = 20
    user = make_user()
    with time_machine.travel(START, tick=False):
        for index in range(4):
            client = from_address(app, f"203.0.113.{index + 10}")
            for _ in range(5):
                assert attempt(client, user.username, "wrong password!").status_code == 401
        assert attempt(from_address(app, "198.51.100.7"), user.username,
                       PASSWORD).status_code == 401
    outcomes = [row[1] for row in audit_rows(app) if row[0].startswith("login")]
    assert outcomes == ["failure"] * 20 + ["throttled"]

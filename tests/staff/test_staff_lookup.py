"""Looking a summary up by the patient's code: forgiving input, POST only, capped failures."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update

from screening.clock import utcnow
from screening.database import db
from screening.models import Submission
from tests.staff.helpers import NONE_FLAGGED, audit_rows, create_account, sign_in

CODE = "K0M1D3Q9"


@pytest.fixture
def known(app, submit):
    """A finished submission whose code is known (it has a 0 and a 1, for the look-alikes)."""
    found = submit(NONE_FLAGGED)
    with app.app_context():
        db.session.execute(update(Submission).where(Submission.id == found.id).values(
            **Submission.code_columns(CODE)))
        db.session.commit()
    return found


@pytest.fixture
def desk(staff_client, make_user):
    sign_in(staff_client, make_user())
    return staff_client


def look_up(client, typed):
    return client.post("/staff/lookup", data={"code": typed})


def test_the_lookup_form_focuses_the_code_field(desk):
    page = desk.get("/staff/lookup").get_data(as_text=True)
    assert 'name="code"' in page and "autofocus" in page
    assert 'method="post"' in page


@pytest.mark.parametrize("typed", [
    "K0M1D3Q9", "k0m1d3q9", "K0M1-D3Q9", "k0m1-d3q9", " k0m1 d3q9 ", "K0M1 - D3Q9",
    "KOMI-D3Q9", "KOML-D3Q9", "komid3q9",
])
def test_typed_variants_find_the_summary(app, desk, known, typed):
    response = look_up(desk, typed)
    assert response.status_code == 303
    assert response.location.endswith(f"/staff/submissions/{known.public_id}")
    assert CODE not in response.location and "K0M1" not in response.location
    page = desk.get(response.location).get_data(as_text=True)
    assert "K0M1-D3Q9" in page and "Print" in page


@pytest.mark.parametrize(("typed", "status"), [("K0M1D3Q8", 404), ("K0M1D3Q", 400),
                                               ("K0M1D3Q9X", 400), ("<script>", 400)])
def test_no_match_says_so(desk, known, typed, status):
    response = look_up(desk, typed)
    assert response.status_code == status
    assert "No summary matches that code" in response.get_data(as_text=True)


def test_a_code_in_the_query_string_does_nothing(app, desk, known):
    before = audit_rows(app)
    response = desk.get(f"/staff/lookup?code={CODE}")
    assert response.status_code == 200 and "No summary" not in response.get_data(as_text=True)
    assert audit_rows(app) == before


def test_every_lookup_is_audited_without_the_code(app, desk, known):
    look_up(desk, "K0M1D3Q8")
    look_up(desk, "not-a-code!")
    look_up(desk, CODE)
    rows = [row for row in audit_rows(app) if row[0] == "lookup"]
    assert rows == [("lookup", "failure", 1, None), ("lookup", "invalid", 1, None),
                    ("lookup", "success", 1, known.public_id)]
    assert not any(CODE in str(row) for row in audit_rows(app))


def test_the_31st_failed_lookup_in_an_hour_is_refused(app, desk, known):
    with time_machine.travel(utcnow(), tick=False) as clock:
        for index in range(30):
            assert look_up(desk, f"0000000{index % 10}").status_code == 404
            clock.shift(timedelta(seconds=30))
        refused = look_up(desk, "00000000")
        assert refused.status_code == 429
        assert "Too many codes that matched nothing" in refused.get_data(as_text=True)
        assert look_up(desk, CODE).status_code == 429  # even the right code, while capped
        for _ in range(10):  # stay signed in while the earliest failures age past an hour
            clock.shift(timedelta(minutes=5))
            assert desk.get("/staff/").status_code == 200
        assert look_up(desk, CODE).status_code == 303
    lookups = [row for row in audit_rows(app) if row[0] == "lookup"]
    assert lookups[-2][1:2] == ("rate_limited",)


def test_the_global_cap_covers_every_account(app, known, submit):
    app.config["STAFF_LOOKUP_FAILURES_GLOBAL_HOUR"] = 3
    desks = []
    for name in ("anna", "ben"):
        client = app.test_client()
        sign_in(client, create_account(app, name))
        desks.append(client)
    for index in range(3):
        assert look_up(desks[index % 2], "00000000").status_code == 404
    assert look_up(desks[1], CODE).status_code == 429
    assert look_up(desks[0], CODE).status_code == 429


def test_malformed_codes_do_not_use_up_the_cap(app, desk, known):
    app.config["STAFF_LOOKUP_FAILURES_PER_USER_HOUR"] = 2
    for _ in range(5):
        assert look_up(desk, "not a code!").status_code == 400
    assert look_up(desk, CODE).status_code == 303


def test_codes_older_than_72_hours_are_not_found(staff_client, make_user, known):
    user = make_user()
    for age, status in ((timedelta(hours=71, minutes=59), 303),
                        (timedelta(hours=72, minutes=1), 404)):
        with time_machine.travel(known.created_at + age, tick=False):
            sign_in(staff_client, user)
            assert look_up(staff_client, CODE).status_code == status

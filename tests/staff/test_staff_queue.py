"""Today's queue: the clinic's day, urgent safety flags on top, then newest; status and flags in
text and symbol; no names."""

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from screening.database import db
from screening.domain import codes
from screening.models import Submission
from tests.staff.helpers import ACUTE, sign_in

NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)  # 15:00 in New York (EDT, UTC-4)
LOCAL_MIDNIGHT = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def add(app, submit):
    """Store copies of one real submission with chosen times and safety levels."""
    template = submit(ACUTE)
    with app.app_context():
        db.session.execute(Submission.__table__.delete())
        db.session.commit()

    def add_one(created_at: datetime, level: str) -> str:
        code = codes.new_code()
        with app.app_context():
            db.session.add(Submission(
                public_id=secrets.token_urlsafe(32), draft_key=secrets.token_hex(32), code=code,
                answers=template.answers, instrument_version=template.instrument_version,
                safety_level=level, created_at=created_at))
            db.session.commit()
        return codes.display(code)

    return add_one


def queue_codes(page: str) -> list[str]:
    return re.findall(r'class="code-link"[^>]*>([0-9A-Z]{4}-[0-9A-Z]{4})<', page)


def test_urgent_first_then_newest_first_within_the_clinic_day(staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        yesterday_none = add(LOCAL_MIDNIGHT - timedelta(minutes=2), "none")
        early_none = add(LOCAL_MIDNIGHT + timedelta(minutes=1), "none")
        item9 = add(NOW - timedelta(hours=3), "item9")
        late_none = add(NOW - timedelta(minutes=5), "none")
        asq = add(NOW - timedelta(hours=5), "asq_positive")
        acute_old = add(NOW - timedelta(hours=6), "acute")
        acute_new = add(NOW - timedelta(hours=1), "acute")
        page = staff_client.get("/staff/").get_data(as_text=True)
    assert queue_codes(page) == [acute_new, acute_old, asq, item9, late_none, early_none]
    assert yesterday_none not in page
    assert "Tuesday 10 March 2026" in page
    assert "Earlier safety flags" not in page


def test_earlier_flags_stay_on_top_until_acknowledged(app, staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        last_night = add(LOCAL_MIDNIGHT - timedelta(minutes=1), "acute")
        last_week = add(NOW - timedelta(days=6), "item9")
        old_quiet = add(NOW - timedelta(days=2), "none")
        today = add(NOW - timedelta(hours=1), "none")
        page = staff_client.get("/staff/").get_data(as_text=True)
        assert "Earlier safety flags not yet acknowledged" in page
        assert queue_codes(page) == [last_night, last_week, today]
        assert old_quiet not in page
        with app.app_context():
            found = db.session.scalar(select(Submission).where(
                Submission.has_code(last_night.replace("-", ""))))
            found.acknowledged_at = NOW
            db.session.commit()
        page = staff_client.get("/staff/").get_data(as_text=True)
    assert queue_codes(page) == [last_week, today]


def test_rows_show_time_score_flag_in_words_and_status(app, staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        add(NOW - timedelta(minutes=30), "acute")
        add(NOW - timedelta(minutes=20), "none")
        sign_in(staff_client, make_user())
        page = staff_client.get("/staff/").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"level-(\w+)\">(.*?)</tr>", page, re.S)
    acute, plain = dict(rows)["acute"], dict(rows)["none"]
    assert "14:30" in acute and "27 / 27 – severe" in acute
    assert "⚠" in acute and "Acute: ASQ acuity" in acute  # a symbol and words, not colour alone
    assert "New" in acute and "Flag not yet acknowledged" in acute
    assert "None" in plain and "not yet acknowledged" not in plain
    assert "Pattern not met" in acute or "—" in acute


def test_printing_shows_in_the_queue(app, staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        add(NOW - timedelta(minutes=30), "item9")
        sign_in(staff_client, make_user())
        with app.app_context():
            public_id = db.session.scalar(select(Submission.public_id))
        staff_client.post(f"/staff/submissions/{public_id}/print")
        page = staff_client.get("/staff/").get_data(as_text=True)
    assert "Printed 15:00" in page and ">New<" not in page.replace("\n", "").replace(" ", "")


def test_the_queue_shows_no_names_or_dates_of_birth(staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        add(NOW - timedelta(minutes=30), "none")
        sign_in(staff_client, make_user())
        page = staff_client.get("/staff/").get_data(as_text=True).lower()
    assert "date of birth" not in page and "name</th>" not in page


def test_the_queue_shows_the_treatment_pattern_verdict(app, staff_client, make_user, add):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        add(NOW - timedelta(minutes=5), "acute")
        page = staff_client.get("/staff/").get_data(as_text=True)
    assert "Pattern not met" in page

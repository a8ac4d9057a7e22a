"""The queue updates itself: a safety flag sent early from the help-now page arrives at the top,
marked acute; the queue's tables can be fetched alone (static/queue.js) without an audit row per
poll and without keeping an idle desk signed in; without JavaScript a refresh link says when."""

import re
from datetime import UTC, datetime, timedelta

import time_machine

from tests.helpers import Patient, step_number
from tests.staff.helpers import PHQ9_17_SAFE, audit_rows, sign_in
from tests.storage.helpers import displayed_code

NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)  # 15:00 in New York


def queue_codes(page: str) -> list[str]:
    return re.findall(r'class="code-link"[^>]*>([0-9A-Z]{4}-[0-9A-Z]{4})<', page)


def send_early(app) -> str:
    """A patient who answers acuity "yes" and sends from the help-now page; their code."""
    patient = Patient(app.test_client())
    patient.begin()
    patient.phq9([1] * 9)
    patient.answer("safety", {})
    for item, value in [("asq_1", "no"), ("asq_2", "yes"), ("asq_3", "no"), ("asq_4", "no"),
                        ("asq_5", "yes")]:
        response = patient.answer(item, {item: value})
    assert response.location.endswith(f"/step/{step_number('help_now')}")
    assert patient.client.post("/help-now/send").location.endswith("/done")
    return displayed_code(patient.client.get("/done").get_data(as_text=True))


def test_an_early_send_sits_at_the_top_of_the_queue_marked_acute(app, staff_client, make_user,
                                                                 submit):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        submit(PHQ9_17_SAFE)
        code = send_early(app)
        page = staff_client.get("/staff/").get_data(as_text=True)
        live = staff_client.get("/staff/queue/live").get_data(as_text=True)
    for html in (page, live):
        codes = queue_codes(html)
        assert len(codes) == 2 and codes[0].replace("-", "") == code.replace("-", "")
        first_row = re.search(r"<tbody>\s*<tr class=\"([^\"]+)\"", html).group(1)
        assert first_row == "level-acute"
        assert "Acute: ASQ acuity “yes” – see now" in html
        assert html.count("Sent early from the safety page") == 1


def test_the_queue_page_has_a_lookup_box_a_refresh_link_and_the_script(staff_client, make_user):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        page = staff_client.get("/staff/").get_data(as_text=True)
    assert 'name="code"' in page and 'action="/staff/lookup"' in page
    assert re.search(r'href="/staff/"[^>]*>Refresh</a> \(last updated <span[^>]*>15:00</span>\)',
                     page)
    assert '<script src="/static/queue.js" defer></script>' in page
    assert 'data-source="/staff/queue/live"' in page and 'data-refresh-seconds="30"' in page


def test_the_live_tables_are_only_the_tables(staff_client, make_user):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        live = staff_client.get("/staff/queue/live").get_data(as_text=True)
    assert "<html" not in live and 'name="code"' not in live
    assert "last updated" in live


def test_polling_writes_no_audit_row_and_does_not_keep_an_idle_desk_signed_in(
        app, staff_client, make_user):
    with time_machine.travel(NOW, tick=False):
        sign_in(staff_client, make_user())
        staff_client.get("/staff/")
    rows = audit_rows(app)
    for minutes in (5, 10, 14):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            assert staff_client.get("/staff/queue/live").status_code == 200
    assert audit_rows(app) == rows
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        response = staff_client.get("/staff/queue/live")
    assert response.status_code == 302 and response.location.endswith("/staff/login")


def test_the_live_tables_need_a_signed_in_account(staff_client):
    response = staff_client.get("/staff/queue/live")
    assert response.status_code == 302 and response.location.endswith("/staff/login")

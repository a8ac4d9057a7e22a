"""Access control: one guard covers every staff route; clinician-only actions refuse reception."""

import re

import pytest
from sqlalchemy import select

from screening.database import db
from screening.models import Submission
from screening.staff.views import SIGN_IN_ENDPOINTS
from tests.helpers import HttpsClient
from tests.staff.helpers import (
    ACUTE,
    PASSWORD,
    audit_rows,
    create_account,
    current_code,
    sign_in,
)

SIGN_IN_PAGES = {"staff.login", "staff.login_code", "staff.enrol"}


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")]


def url_for_rule(rule, public_id: str) -> str:
    return rule.rule.replace("<public_id>", public_id)


def stored(app, public_id):
    with app.app_context():
        return db.session.scalar(select(Submission).where(Submission.public_id == public_id))


def test_only_the_sign_in_pages_are_open():
    assert SIGN_IN_ENDPOINTS == SIGN_IN_PAGES


def test_every_staff_route_refuses_anonymous_users(app, staff_client, submit):
    found = submit(ACUTE)
    rules = [rule for rule in staff_rules(app) if rule.endpoint not in SIGN_IN_PAGES]
    assert len(rules) >= 8
    checked = 0
    for rule in rules:
        url = url_for_rule(rule, found.public_id)
        if "GET" in rule.methods:
            response = staff_client.get(url)
            assert response.status_code == 302, rule.endpoint
            assert response.location.endswith("/staff/login"), rule.endpoint
            checked += 1
        if "POST" in rule.methods:
            response = staff_client.post(url, data={"code": found.code})
            assert response.status_code == 401, rule.endpoint
            assert "Please sign in again" in response.get_data(as_text=True)
            checked += 1
    assert checked == len(rules) + 1  # the print URL serves both GET and POST
    after = stored(app, found.public_id)
    assert after.printed_at is None and after.acknowledged_at is None
    assert [row for row in audit_rows(app) if row[0] != "account_create"] == []


def test_a_made_up_cookie_is_refused_and_cleared(staff_client):
    staff_client.set_cookie("__Host-staff", "x" * 43, domain="localhost", secure=True)
    response = staff_client.get("/staff/")
    assert response.status_code == 302
    assert any(c.startswith("__Host-staff=;") for c in response.headers.getlist("Set-Cookie"))


def test_a_password_only_session_reaches_no_staff_page(staff_client, make_user, submit):
    found = submit(ACUTE)
    user = make_user()
    staff_client.post("/staff/login", data={"username": user.username, "password": PASSWORD})
    for url in ("/staff/", "/staff/lookup", f"/staff/submissions/{found.public_id}"):
        assert staff_client.get(url).location.endswith("/staff/login")


@pytest.mark.parametrize("action", ["acknowledge", "fhir"])
def test_reception_cannot_acknowledge_or_export(app, staff_client, make_user, submit, action):
    found = submit(ACUTE)
    sign_in(staff_client, make_user(role="reception"))
    response = staff_client.post(f"/staff/submissions/{found.public_id}/{action}")
    assert response.status_code == 403
    assert stored(app, found.public_id).acknowledged_at is None
    audit_action = {"fhir": "export"}.get(action, action)
    assert audit_rows(app)[-1] == (audit_action, "denied", 1, found.public_id)


def test_reception_can_print_but_sees_no_acknowledge_or_export_button(
        staff_client, make_user, submit):
    found = submit(ACUTE)
    sign_in(staff_client, make_user(role="reception"))
    page = staff_client.get(f"/staff/submissions/{found.public_id}").get_data(as_text=True)
    assert "Acknowledge safety flag" not in page and "FHIR" not in page
    assert "a clinician acknowledges it" in page
    response = staff_client.post(f"/staff/submissions/{found.public_id}/print")
    assert response.status_code == 303


def test_clinician_acknowledges_and_queue_and_print_show_who_and_when(
        app, staff_client, make_user, submit):
    found = submit(ACUTE)
    sign_in(staff_client, make_user("dr.lee", role="clinician"))
    response = staff_client.post(f"/staff/submissions/{found.public_id}/acknowledge")
    assert response.status_code == 303
    after = stored(app, found.public_id)
    assert after.acknowledged_at is not None and after.acknowledged_by == 1
    queue = staff_client.get("/staff/").get_data(as_text=True)
    assert re.search(r"Acknowledged by dr\.lee at \d\d \w{3} \d{4}, \d\d:\d\d", queue)
    printed = staff_client.get(f"/staff/submissions/{found.public_id}/print")
    assert "Acknowledged by dr.lee at" in printed.get_data(as_text=True)


def test_unknown_submission_is_404_for_signed_in_staff(staff_client, make_user):
    sign_in(staff_client, make_user())
    assert staff_client.get("/staff/submissions/not-a-real-id").status_code == 404


def test_fhir_export_is_a_download_for_clinicians(app, staff_client, make_user, submit):
    found = submit(ACUTE)
    sign_in(staff_client, make_user(role="clinician"))
    response = staff_client.post(f"/staff/submissions/{found.public_id}/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.json["resourceType"] == "Bundle"
    assert found.public_id not in response.get_data(as_text=True)
    assert found.code not in response.get_data(as_text=True)
    assert audit_rows(app)[-1] == ("export", "success", 1, found.public_id)


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_every_staff_post_needs_a_csrf_token_even_when_signed_in(csrf_app):
    csrf_app.test_client_class = HttpsClient  # the staff cookie is __Host-: Secure only
    user = create_account(csrf_app, role="clinician")
    client = csrf_app.test_client()
    origin = {"Referer": "https://localhost/staff/login"}
    assert client.post("/staff/login", headers=origin, data={
        "username": user.username, "password": PASSWORD}).status_code == 400
    assert client.post("/staff/login", headers=origin, data={
        "csrf_token": csrf_token(client, "/staff/login"),
        "username": user.username, "password": PASSWORD}).status_code == 302
    assert client.post("/staff/login/code", headers=origin, data={
        "csrf_token": csrf_token(client, "/staff/login/code"),
        "code": current_code(user)}).status_code == 302
    for rule in staff_rules(csrf_app):
        if "POST" in rule.methods:
            response = client.post(url_for_rule(rule, "x"), headers=origin, data={})
            assert response.status_code == 400, rule.endpoint
    assert client.get("/staff/").status_code == 200  # still signed in: nothing was done

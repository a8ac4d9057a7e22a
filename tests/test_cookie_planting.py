"""A draft cookie planted in a patient's browser does not collect their answers (issue 15.5):
starting gives a new draft token, cookies over HTTPS carry the `__Host-` prefix (which a
sibling site or a plain-HTTP page cannot set), and staff sign-in renews the CSRF token."""

import re

from screening.database import db
from screening.models import Draft
from screening.patient import store
from screening.tokens import token_hash
from tests.helpers import HttpsClient
from tests.staff.helpers import PASSWORD, create_account, current_code


def _answers_of(app, token: str) -> dict | None:
    with app.app_context():
        draft = db.session.scalar(db.select(Draft).where(Draft.token_hash == token_hash(token)))
        return None if draft is None else draft.answers


def test_a_planted_draft_cookie_does_not_receive_the_patients_answers(app):
    attacker = app.test_client()
    attacker.post("/begin")
    planted = attacker.get_cookie("draft").value
    victim = app.test_client()
    victim.set_cookie("draft", planted)
    assert victim.post("/begin").status_code == 302
    assert victim.post("/step/1", data={"phq9_1": "3"}).status_code == 302
    own = victim.get_cookie("draft").value
    assert own != planted
    assert _answers_of(app, own) == {"phq9_1": "3"}
    assert not (_answers_of(app, planted) or {}).get("phq9_1")


def test_continuing_keeps_the_answers_under_a_new_token(app, patient):
    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "2"})
    before = patient.client.get_cookie("draft").value
    response = patient.client.post("/begin")
    after = patient.client.get_cookie("draft").value
    assert after != before and response.location.endswith("/step/2")
    assert _answers_of(app, after) == {"phq9_1": "2"}
    assert _answers_of(app, before) is None  # the old token opens nothing any more
    with app.app_context():
        assert store.find_draft(before, 72) is None


def test_over_https_every_cookie_is_host_prefixed_and_plain_names_are_ignored(app):
    app.test_client_class = HttpsClient
    other = app.test_client()
    other.post("/begin")
    other.post("/step/1", data={"phq9_1": "3"})
    planted = other.get_cookie("__Host-draft", domain="localhost").value
    client = app.test_client()
    client.set_cookie("draft", planted)  # as a sibling site or a plain-HTTP page could set it
    assert "saved from earlier" not in client.get("/").get_data(as_text=True)
    response = client.post("/begin")
    headers = response.headers.getlist("Set-Cookie")
    assert any(h.startswith("__Host-draft=") and "Secure" in h and "Path=/" in h for h in headers)
    assert not any(h.startswith("draft=") for h in headers)
    assert client.post("/language", data={"language": "es", "next": "/"}).status_code == 302
    assert client.get_cookie("__Host-lang", domain="localhost").value == "es"
    assert client.get_cookie("lang", domain="localhost") is None


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_session_cookie_is_host_prefixed_and_sign_in_renews_the_csrf_token(csrf_app):
    csrf_app.test_client_class = HttpsClient
    user = create_account(csrf_app)
    client = csrf_app.test_client()
    before = _token(client, "/staff/login")
    assert client.get_cookie("__Host-csrf", domain="localhost") is not None
    assert client.get_cookie("csrf", domain="localhost") is None
    assert client.post("/staff/login", data={
        "csrf_token": before, "username": user.username, "password": PASSWORD}).status_code == 302
    middle = _token(client, "/staff/login/code")
    assert middle != before
    assert client.post("/staff/login/code", data={
        "csrf_token": before, "code": current_code(user)}).status_code == 400
    assert client.post("/staff/login/code", data={
        "csrf_token": middle, "code": current_code(user)}).status_code == 302
    after = _token(client, "/staff/lookup")
    assert after != middle
    assert client.post("/staff/lookup", data={"csrf_token": middle, "code": "0000-0000"}
                       ).status_code == 400

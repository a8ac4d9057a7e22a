"""Security baseline: headers, cookies, CSRF, request size, error pages, logs and fuzzing."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import BadSignature

from screening import create_app, security
from screening.database import db
from screening.domain import flow
from screening.patient import store
from tests.fuzzing import FIELD_NAMES, FIELD_VALUES, NASTY_VALUES, fill_rule
from tests.helpers import ENCRYPTION_KEY, REST_OF_FLOW, Patient, step_number
from tests.storage.helpers import displayed_code

SEVERE = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes", "phq9_10": "3"}

REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def assert_security_headers(response):
    for name, value in REQUIRED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                      "object-src 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]
    if response.mimetype == "text/html":
        assert response.headers["Cache-Control"] == "no-store"
        assert "charset=utf-8" in response.headers["Content-Type"]


@pytest.fixture
def app_with_crash(tmp_path):
    app = create_app({"TESTING": False, "DEBUG": False, "SECRET_KEY": "s" * 32,
                      "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'crash.db'}",
                      "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM answers")

    with app.app_context():
        db.create_all()
    return app


def get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def concrete_url(rule) -> str:
    return rule.rule.replace("<int:number>", "1").replace("<path:filename>", "screen.css") \
        .replace("<public_id>", "x")


def test_every_get_route_and_error_page_sends_the_headers(app, client, patient):
    patient.complete(SEVERE)
    for rule in get_routes(app):
        assert_security_headers(client.get(concrete_url(rule)))
    for response in (client.get("/no-such-page"), client.put("/"),
                     client.post("/begin", data={"x": "y" * 70_000})):
        assert response.status_code in (404, 405, 413)
        assert_security_headers(response)


def test_static_files_may_be_cached_html_may_not(client):
    assert "max-age" in client.get("/static/screen.css").headers["Cache-Control"]
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_view_cannot_weaken_the_headers(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 32,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'weak.db'}"})

    @app.get("/framed")
    def framed():
        return "page", {"X-Frame-Options": "SAMEORIGIN", "cache-control": "public",
                        "Content-Security-Policy": "default-src *"}

    response = app.test_client().get("/framed")
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers.getlist("Content-Security-Policy") == [security.CSP]
    assert_security_headers(response)


def test_server_error_page_is_generic_and_has_headers(app_with_crash, caplog):
    response = app_with_crash.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body and "SELECT" not in body
    assert_security_headers(response)


def test_placeholder_secret_is_refused_in_production(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_draft_cookie_holds_only_a_128_bit_token_with_strict_flags(https_client):
    client = https_client
    response = client.post("/begin")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("__Host-draft="))
    token = cookie.split(";")[0].split("=", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
    for flag in ("HttpOnly", "Secure", "SameSite=Lax"):
        assert flag in cookie


def test_every_cookie_is_httponly_and_secure_over_https(https_client):
    client = https_client
    patient = Patient(client)
    patient.complete(SEVERE)
    seen = []
    for response in (client.get("/"), client.post("/restart"), client.get("/step/1")):
        seen += response.headers.getlist("Set-Cookie")
    assert seen
    for cookie in seen:
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_no_answers_or_codes_in_any_url(client, patient):
    response = patient.complete(SEVERE)
    urls = [response.headers["Location"]]
    for page in ("/", "/done", "/summary"):
        urls += re.findall(r'(?:href|action)="([^"]+)"', client.get(page).get_data(as_text=True))
    plain = displayed_code(client.get("/done").get_data(as_text=True))
    code = f"{plain[:4]}-{plain[4:]}"
    for url in urls:
        assert code not in url and code.replace("-", "") not in url
        assert "phq9_" not in url and "asq_" not in url


def test_every_post_route_refuses_a_missing_csrf_token(csrf_app):
    client = csrf_app.test_client()
    post_rules = [r for r in csrf_app.url_map.iter_rules() if "POST" in r.methods]
    assert len(post_rules) >= 4
    for rule in post_rules:
        response = client.post(concrete_url(rule), data={"phq9_1": "1"})
        assert response.status_code == 400, rule.rule


def test_csrf_token_works_and_outlives_an_hour(csrf_app):
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/").get_data(as_text=True)).group(1)
    assert client.post("/begin", data={"csrf_token": token}).status_code == 302
    later = datetime.now(UTC) + timedelta(minutes=61)
    with time_machine.travel(later, tick=False):
        response = client.post("/step/1", data={"csrf_token": token, "phq9_1": "1"})
    assert response.status_code == 302


def test_cross_site_post_is_refused(client):
    response = client.post("/begin", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_get_requests_change_nothing(app, client, patient):
    patient.begin()
    patient.answer("phq9_1", {"phq9_1": "2"})
    with app.app_context():
        from screening.models import Draft

        before = [d.answers for d in db.session.scalars(db.select(Draft))]
    for rule in get_routes(app):
        client.get(concrete_url(rule))
    with app.app_context():
        after = [d.answers for d in db.session.scalars(db.select(Draft))]
    assert before == after


FREE_TEXT_CANARY = "CANARY-free-text-91c4"


def test_codes_tokens_and_answers_never_reach_the_log(app, client, patient, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    trial = {"medicine": "other", "other_name": FREE_TEXT_CANARY, "this_episode": "yes",
             "weeks": "8", "adherence": "all", "response": "none",
             "stopped": "still"}
    patient.complete(SEVERE | {"trials": [trial]})
    done = client.get("/done").get_data(as_text=True)
    plain = displayed_code(done)
    code = f"{plain[:4]}-{plain[4:]}"
    assert FREE_TEXT_CANARY in client.get("/summary").get_data(as_text=True)
    token = client.get_cookie("draft").value
    client.post("/step/1", data={"phq9_1": "CANARY-7f3a"})
    client.post("/restart")
    client.post(f"/step/{step_number('trials')}/item/x1",
                data={"other_name": FREE_TEXT_CANARY, "weeks": "not a number"})

    def failing_save(*_args, **_kwargs):
        raise RuntimeError(f"could not save {FREE_TEXT_CANARY}")

    monkeypatch.setattr(store, "save_answers", failing_save)
    patient.begin()
    assert client.post("/step/1", data={"phq9_1": "2"}).status_code == 500
    log_text = caplog.text
    assert "Unhandled error: RuntimeError" in log_text  # the error was logged, without its message
    for secret in (code, code.replace("-", ""), token, "CANARY-7f3a", FREE_TEXT_CANARY,
                   "wished you were dead"):
        assert secret not in log_text


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(),
       fields=st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=6))
def test_random_posts_to_every_post_route_never_cause_a_server_error(app, client, data, fields):
    post_rules = sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods),
                        key=lambda r: r.rule)
    rule = data.draw(st.sampled_from(post_rules))
    client.post("/begin")
    url = fill_rule(rule, data.draw)
    response = client.post(url, data=fields)
    assert response.status_code < 500, (url, fields)


def test_the_session_signature_follows_a_rotated_secret_key(app):
    interface = app.session_interface
    signed = interface.get_signing_serializer(app).dumps({"csrf_token": "t"})
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "rotated-secret", ["test-secret"]
    assert interface.get_signing_serializer(app).loads(signed) == {"csrf_token": "t"}
    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(BadSignature):
        interface.get_signing_serializer(app).loads(signed)


@pytest.mark.parametrize("nasty", NASTY_VALUES)
def test_every_step_answers_a_nasty_value_in_every_field_without_a_server_error(app, client,
                                                                                 patient, nasty):
    """Each step and the medicine form get the value in every field they read, then a real
    answer, so the walk reaches every step a patient can see (the safety pathway included)."""
    answers = REST_OF_FLOW | {f"phq9_{i}": "2" for i in range(1, 10)} | {
        "phq9_10": "1", "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no",
        "asq_5": "yes"}
    patient.begin()
    seen = set()
    location = f"/step/{step_number('phq9_1')}"
    while "/step/" in location:
        step = flow.step_by_number(int(re.search(r"/step/(\d+)", location).group(1)))
        seen.add(step.id)
        bad = client.post(location, data=dict.fromkeys(step.questions or ["answer"], nasty))
        assert bad.status_code < 500, (step.id, nasty)
        if step.kind == "repeat":
            item = client.post(f"/step/{step.number}/item/n1",
                               data=dict.fromkeys(FIELD_NAMES, nasty))
            assert item.status_code < 500, ("item", nasty)
            data = {"answer": "none"} if not client.get(location).text.count("entry-title") \
                else {}
        else:
            data = {q: answers[q] for q in step.questions if q in answers}
        response = client.post(location, data=data)
        assert response.status_code == 302, (step.id, response.text[:300])
        location = response.headers["Location"]
    assert {"phq9_9", "asq_5", "help_now", "trials", "episode_start", "medical_other"} <= seen
    for url in ("/submit", "/language", "/forget", "/restart", "/begin"):
        assert client.post(url, data=dict.fromkeys(FIELD_NAMES, nasty)).status_code < 500

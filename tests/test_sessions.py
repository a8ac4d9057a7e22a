"""The session cookie is checked once per worker and remembered (screening/sessions.py): what a
cookie opens to must be exactly what Flask's own check gives, request after request. A page's
CSRF token must be exactly the one Flask-WTF would sign."""

import time
from datetime import timedelta

import pytest
from flask import g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from screening.sessions import csrf_token

FLASK = SecureCookieSessionInterface()


def signed_cookie(app, data: dict) -> str:
    return FLASK.get_signing_serializer(app).dumps(data)


def opened(app, cookie: str | None) -> dict:
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers) as context:
        return dict(app.session_interface.open_session(app, context.request))


def flask_opened(app, cookie: str) -> dict:
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    with app.test_request_context("/", headers=headers) as context:
        return dict(FLASK.open_session(app, context.request))


def test_a_cookie_opens_to_what_flask_reads_every_time(app):
    cookie = signed_cookie(app, {"csrf_token": "abc"})
    assert [opened(app, cookie) for _ in range(3)] == [flask_opened(app, cookie)] * 3
    assert opened(app, cookie) == {"csrf_token": "abc"}


def test_no_cookie_opens_an_empty_session(app):
    assert opened(app, None) == {}


@pytest.mark.parametrize("tamper", [
    lambda c: c[:-10] + ("A" if c[-10] != "A" else "B") + c[-9:],  # signature
    lambda c: "x" + c[1:],  # payload
    lambda c: c + ".extra",
    lambda c: "",
])
def test_an_altered_cookie_is_refused_even_after_the_genuine_one_was_remembered(app, tamper):
    cookie = signed_cookie(app, {"csrf_token": "abc"})
    assert opened(app, cookie) == {"csrf_token": "abc"}
    assert opened(app, tamper(cookie)) == {}
    assert flask_opened(app, tamper(cookie)) == {}


def test_a_cookie_from_another_key_is_refused(app):
    cookie = signed_cookie(app, {"csrf_token": "abc"})
    app.config["SECRET_KEY"], app.secret_key = "another-secret", "another-secret"
    assert opened(app, cookie) == {}


def test_a_remembered_cookie_is_refused_once_the_secret_key_is_retired(app):
    cookie = signed_cookie(app, {"csrf_token": "abc"})
    assert opened(app, cookie) == {"csrf_token": "abc"}
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "rotated", ["test-secret"]
    assert opened(app, cookie) == {"csrf_token": "abc"}
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert opened(app, cookie) == {}


def test_a_remembered_cookie_expires_when_flask_would_expire_it(app, monkeypatch):
    app.permanent_session_lifetime = timedelta(hours=1)
    cookie = signed_cookie(app, {"csrf_token": "abc"})
    assert opened(app, cookie) == {"csrf_token": "abc"}
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3599)
    assert opened(app, cookie) == {"csrf_token": "abc"}
    monkeypatch.setattr(time, "time", lambda: now + 3602)
    assert opened(app, cookie) == flask_opened(app, cookie) == {}
    monkeypatch.setattr(time, "time", lambda: now - 120)  # signed "in the future": clock skew
    assert opened(app, cookie) == flask_opened(app, cookie) == {}


def test_changing_one_request_s_session_does_not_change_what_the_cookie_opens_to(app):
    cookie = signed_cookie(app, {"csrf_token": "abc", "seen": ["a"]})
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    with app.test_request_context("/", headers=headers) as context:
        session = app.session_interface.open_session(app, context.request)
        session["csrf_token"] = "changed"
        session["seen"].append("b")
    assert opened(app, cookie) == {"csrf_token": "abc", "seen": ["a"]}


def test_a_patient_keeps_one_session_across_requests(client):
    """End to end: the CSRF token's session survives the patient's page loads."""
    client.get("/")
    first = client.get_cookie("csrf")
    again = client.get("/")
    assert first is not None and client.get_cookie("csrf").value == first.value
    assert again.headers.getlist("Vary") == ["Cookie"]
    assert not [c for c in again.headers.getlist("Set-Cookie") if c.startswith("csrf=")]


def test_a_page_token_is_the_one_flask_wtf_would_sign(csrf_app, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_900_000_000.0)  # itsdangerous's timestamp
    with csrf_app.test_request_context("/"):
        session["csrf_token"] = "the-session-token"
        ours = csrf_token()
        assert generate_csrf() == ours  # Flask-WTF uses it for the rest of the request
        validate_csrf(ours)
        del g.csrf_token
        assert generate_csrf() == ours


def test_a_session_without_a_token_gets_one_from_flask_wtf(csrf_app):
    with csrf_app.test_request_context("/"):
        token = csrf_token()
        assert session["csrf_token"]
        validate_csrf(token)


def test_page_tokens_change_every_second_and_differ_between_sessions(csrf_app, monkeypatch):
    def token_at(when: float, session_token: str) -> str:
        monkeypatch.setattr(time, "time", lambda: when)
        with csrf_app.test_request_context("/"):
            session["csrf_token"] = session_token
            return csrf_token()

    now = 1_900_000_000.0
    assert token_at(now, "a") == token_at(now + 0.5, "a")
    assert token_at(now, "a") != token_at(now + 1, "a")
    assert token_at(now, "a") != token_at(now, "b")


def test_a_token_signed_with_another_key_is_refused(csrf_app):
    with csrf_app.test_request_context("/"):
        session["csrf_token"] = "the-session-token"
        token = csrf_token()
    csrf_app.secret_key = "another-secret-key-of-enough-length"
    with csrf_app.test_request_context("/"):
        session["csrf_token"] = "the-session-token"
        with pytest.raises(ValidationError):
            validate_csrf(token)
        validate_csrf(csrf_token())


def saved(app, cookie: str, change=None):
    """The response headers after a request that opened the session (and maybe changed it)."""
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    with app.test_request_context("/", headers=headers) as context:
        session = app.session_interface.open_session(app, context.request)
        session.accessed = True  # Flask's request context marks it so when a view reads it
        if change:
            change(session)
        response = app.response_class("page")
        app.session_interface.save_session(app, session, response)
        return response.headers


def test_a_session_only_read_sends_vary_and_no_cookie(app):
    headers = saved(app, signed_cookie(app, {"csrf_token": "abc"}))
    assert headers.getlist("Vary") == ["Cookie"]
    assert headers.getlist("Set-Cookie") == []


def test_a_changed_or_refreshed_session_is_written_as_flask_writes_it(app):
    changed = saved(app, signed_cookie(app, {"csrf_token": "abc"}),
                    change=lambda session: session.update(csrf_token="new"))
    assert changed.getlist("Set-Cookie")[0].startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    refreshed = saved(app, signed_cookie(app, {"csrf_token": "abc", "_permanent": True}))
    assert len(refreshed.getlist("Set-Cookie")) == 1
    emptied = saved(app, signed_cookie(app, {"csrf_token": "abc"}),
                    change=lambda session: session.clear())
    assert "Expires=Thu, 01 Jan 1970" in emptied.getlist("Set-Cookie")[0]

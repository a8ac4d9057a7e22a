"""X-Forwarded-* headers count only when PROXY_FIX_* says a proxy in front of the app sets them."""

import pytest

from screening import create_app
from screening.database import db


@pytest.fixture
def make_client(tmp_path):
    def make(**settings):
        app = create_app({"TESTING": True, "SECRET_KEY": "proxy-test-secret",
                          "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
                          **settings})
        with app.app_context():
            db.create_all()
        return app.test_client()
    return make


def _draft_cookie(client, headers) -> str:
    response = client.post("/begin", headers=headers)
    assert response.status_code == 302
    # Over HTTPS the draft cookie takes the __Host- prefix (tests/test_cookie_planting.py).
    return next(c for c in response.headers.getlist("Set-Cookie")
                if c.startswith(("draft=", "__Host-draft=")))


HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def test_forwarded_headers_are_ignored_by_default(make_client):
    assert "Secure" not in _draft_cookie(make_client(), HTTPS_PROXY)


def test_a_configured_proxy_makes_requests_https(make_client):
    client = make_client(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    assert "Secure" in _draft_cookie(client, HTTPS_PROXY)
    assert "Secure" not in _draft_cookie(client, {"X-Forwarded-Proto": "http"})


def test_settings_from_the_environment_are_numbers(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_PROXY_FIX_X_PROTO", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "proxy-test-secret",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'env.db'}"})
    assert app.config["PROXY_FIX_X_PROTO"] == 1
    layers, middleware = [], app.wsgi_app
    while hasattr(middleware, "wsgi_app") or hasattr(middleware, "app"):
        layers.append(type(middleware).__name__)
        middleware = getattr(middleware, "wsgi_app", None) or middleware.app
    assert "ProxyFix" in layers[1:]  # inside the security headers

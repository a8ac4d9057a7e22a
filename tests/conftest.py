"""Fixtures: an app on a temporary SQLite file, its client, and a patient who walks the flow."""


import pytest

from screening import create_app
from screening.database import db
from tests.chromium import browser, playwright_instance  # noqa: F401 - shared fixtures
from tests.helpers import ENCRYPTION_KEY, HttpsClient, Patient


def _app_on_a_temporary_database(path, config: dict):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY, **config})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    yield from _app_on_a_temporary_database(
        tmp_path / "test.db", {"SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def https_client(app):
    app.test_client_class = HttpsClient
    return app.test_client()


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, as in production (the `app` fixture turns it off)."""
    yield from _app_on_a_temporary_database(
        tmp_path / "csrf.db", {"SECRET_KEY": "k" * 32, "WTF_CSRF_ENABLED": True})


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def patient(client):
    return Patient(client)

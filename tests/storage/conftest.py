"""Fixtures for the storage tests: the `app` fixture is overridden here to run on both backends.

Only tests under tests/storage see this `app`; the root conftest's `client`, `runner` and `patient`
fixtures build on whichever `app` the requesting test resolves, so they follow it to PostgreSQL too.

A test narrows or configures the backend with direct parametrisation, for example
`@pytest.mark.parametrize("app", ["sqlite"], indirect=True)` and
`@pytest.mark.parametrize("app_config", [{"SQLITE_BUSY_TIMEOUT_MS": 300}])`.
"""

import pytest
from sqlalchemy import create_engine

from screening import create_app
from screening.database import db
from tests.helpers import ENCRYPTION_KEY

from .postgres import PostgresNotInstalled, find_bindir, running_postgres

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url():
    try:
        find_bindir()
    except PostgresNotInstalled as error:
        pytest.fail(str(error), pytrace=False)
    with running_postgres() as url:
        yield url


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the app under test; override by parametrising `app_config`."""
    return {}


def _empty_schema(url: str) -> None:
    """Start every PostgreSQL test from an empty `public` schema, whatever an earlier test left."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path, app_config):
    backend = request.param
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path / 'test.db'}"
    elif backend == "postgresql":
        uri = request.getfixturevalue("postgres_url")
        _empty_schema(uri)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": uri,
        **app_config,
    })
    with app.app_context():
        assert db.engine.dialect.name == backend
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if backend == "postgresql":
            with db.engine.begin() as connection:
                # A connection a test left in a transaction would otherwise hang the drop.
                connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                db.metadata.drop_all(connection)
        db.engine.dispose()


@pytest.fixture
def backend(app) -> str:
    with app.app_context():
        return db.engine.dialect.name

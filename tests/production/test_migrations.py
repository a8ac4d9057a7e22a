"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

Each test runs `flask --app screening db ...` in a subprocess, the way an operator does, against an
empty database. A model changed without a new migration fails `test_upgrade_matches_the_models`
(regenerate with `flask --app screening db migrate -m "..."` and review the revision). Triggers
that the models add through DDL events on `create_all` (the append-only audit log) must also be
created by the migrations.
"""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from screening import create_app
from screening.database import db
from screening.models import Draft, Submission
from tests.helpers import ENCRYPTION_KEY
from tests.storage.postgres import PostgresNotInstalled, find_bindir, running_postgres

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def postgres_server():
    try:
        find_bindir()
    except PostgresNotInstalled as error:
        pytest.fail(str(error), pytrace=False)
    with running_postgres("migrations_admin") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A URL of a new, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    return _new_postgres_database(request.getfixturevalue("postgres_server"))


def _new_postgres_database(server_url: str) -> str:
    url = make_url(server_url)
    name = f"m_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def flask_db(url: str, *args: str) -> str:
    """Run `flask --app screening db <args>` against `url`; fail the test with its output."""
    env = {**os.environ, "FLASK_SECRET_KEY": "migration-test-secret",
           "FLASK_ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
           "FLASK_SQLALCHEMY_DATABASE_URI": url}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "screening", "db", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, f"flask db {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def _app(url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "migration-test-secret",
                       "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
                       "SQLALCHEMY_DATABASE_URI": url})


def schema_differences(url: str, metadata: MetaData | None = None) -> list:
    app = _app(url)
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                return compare_metadata(context, metadata if metadata is not None else db.metadata)
        finally:
            db.engine.dispose()


def triggers(url: str) -> dict[str, str]:
    """Every trigger (and, on PostgreSQL, every function in `public`) with its definition."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                rows = connection.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
            else:
                rows = connection.execute(text(
                    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                    "UNION ALL SELECT p.proname, p.prosrc FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"))
            return {name: " ".join(definition.split()) for name, definition in rows}
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_have_a_single_head():
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_upgrade_matches_the_models(empty_database):
    flask_db(empty_database, "upgrade")
    differences = schema_differences(empty_database)
    assert differences == [], (
        "The models and the migrations disagree. Generate a migration with "
        f"`flask --app screening db migrate -m '...'` and review it:\n{differences}")


def test_the_comparison_notices_a_model_change(empty_database):
    """Guards the test above: a column the migrations lack is reported."""
    flask_db(empty_database, "upgrade")
    changed = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["drafts"].append_column(Column("not_migrated", Integer))
    differences = schema_differences(empty_database, changed)
    assert [d[0] for d in differences] == ["add_column"], differences


def test_upgrade_creates_the_triggers_create_all_creates(empty_database, request):
    flask_db(empty_database, "upgrade")
    if empty_database.startswith("sqlite"):
        reference = empty_database.replace("migrated.db", "created.db")
    else:
        reference = _new_postgres_database(request.getfixturevalue("postgres_server"))
    app = _app(reference)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    expected = triggers(reference)
    assert expected, "the models create no trigger: is the audit log still append-only?"
    assert triggers(empty_database) == expected


def test_the_migrated_audit_log_refuses_update_and_delete(empty_database):
    flask_db(empty_database, "upgrade")
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO audit_events (at, action, outcome, source) "
                "VALUES (CURRENT_TIMESTAMP, 'login', 'ok', 'web')"))
        rewrite = ("INSERT INTO audit_events (id, at, action, outcome, source) "
                   "VALUES (1, CURRENT_TIMESTAMP, 'login', 'x', 'web')")
        replace = (["INSERT OR REPLACE" + rewrite[len("INSERT"):], "REPLACE" + rewrite[6:]]
                   if engine.dialect.name == "sqlite" else [rewrite])
        for statement in ("UPDATE audit_events SET outcome = 'x'", "DELETE FROM audit_events",
                          rewrite + " ON CONFLICT (id) DO UPDATE SET outcome = 'x'", *replace):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT outcome FROM audit_events")).all() == [("ok",)]
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_everything_and_upgrades_again(empty_database):
    flask_db(empty_database, "upgrade")
    flask_db(empty_database, "downgrade", "base")
    assert table_names(empty_database) <= {"alembic_version"}
    assert triggers(empty_database) == {}
    flask_db(empty_database, "upgrade")
    assert schema_differences(empty_database) == []
    assert "(head)" in flask_db(empty_database, "current")


PLAIN_CODE = "K0M1D3Q9"
PLAIN_ANSWERS = {"phq9_1": "2", "trials": [{"medicine": "other", "other_name": "Canarysertine"}]}
BEFORE_ENCRYPTION = "3388d50da748"


def test_upgrade_encrypts_rows_stored_in_the_clear_and_downgrade_restores_them(empty_database):
    flask_db(empty_database, "upgrade", BEFORE_ENCRYPTION)
    engine = create_engine(empty_database)
    try:
        tables = MetaData()
        tables.reflect(engine, only=["drafts", "submissions"])
        now = datetime.now(UTC).replace(tzinfo=None)
        with engine.begin() as connection:
            connection.execute(tables.tables["drafts"].insert().values(
                token_hash="d" * 64, answers=PLAIN_ANSWERS, language="en", created_at=now,
                updated_at=now))
            connection.execute(tables.tables["submissions"].insert().values(
                public_id="p" * 43, draft_key="d" * 64, code=PLAIN_CODE, answers=PLAIN_ANSWERS,
                language="en", instrument_version="v1", safety_level="none", created_at=now))

        flask_db(empty_database, "upgrade")
        with engine.connect() as connection:
            raw = [str(value) for row in connection.execute(text(
                "SELECT * FROM drafts")).all() + connection.execute(text(
                    "SELECT * FROM submissions")).all() for value in row]
        assert "p" * 43 in raw
        assert not [value for value in raw if "Canarysertine" in value or PLAIN_CODE in value]
        app = _app(empty_database)
        with app.app_context():
            found = db.session.scalar(select(Submission).where(Submission.has_code(PLAIN_CODE)))
            assert (found.code, found.answers) == (PLAIN_CODE, PLAIN_ANSWERS)
            assert db.session.scalar(select(Draft)).answers == PLAIN_ANSWERS
            db.session.remove()
            db.engine.dispose()

        flask_db(empty_database, "downgrade", BEFORE_ENCRYPTION)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT code, answers FROM submissions")).all()
            drafts = connection.execute(text("SELECT answers FROM drafts")).scalars().all()
        assert [(code, json.loads(answers) if isinstance(answers, str) else answers)
                for code, answers in rows] == [(PLAIN_CODE, PLAIN_ANSWERS)]
        assert [json.loads(a) if isinstance(a, str) else a for a in drafts] == [PLAIN_ANSWERS]
    finally:
        engine.dispose()

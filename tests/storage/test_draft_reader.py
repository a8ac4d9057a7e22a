"""The per-request draft read runs on a connection each thread keeps (screening/db.py first_row):
it must see every commit at once, leave no transaction open, and recover from a dropped
connection, on both backends."""

import gc
import importlib
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from screening import create_app, store
from screening.db import db

storage = importlib.import_module("screening.db")  # `screening.db` is also the SQLAlchemy object


def _reader():
    return storage._readers.connection


def _new_draft(answers: dict | None = None) -> str:
    token = store.new_draft_token()
    store.create_draft(token)
    if answers:
        store.save_answers(token, answers)
    return token


def test_the_read_sees_a_commit_from_another_connection_at_once(app):
    with app.app_context():
        token = _new_draft({"phq9_1": "1"})
        assert store.find_draft(token, 72).answers == {"phq9_1": "1"}
        outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        try:
            with outside.begin() as connection:
                connection.execute(text("UPDATE drafts SET language = 'es'"))
        finally:
            outside.dispose()
        assert store.find_draft(token, 72).language == "es"
        store.save_answers(token, {"phq9_2": "3"})
        assert store.find_draft(token, 72).answers == {"phq9_1": "1", "phq9_2": "3"}


def test_the_read_leaves_no_transaction_open(app):
    with app.app_context():
        token = _new_draft()
        store.find_draft(token, 72)
        store.find_draft(store.new_draft_token(), 72)  # no row: the transaction still ends
        if db.engine.dialect.name == "sqlite":
            assert not _reader().in_transaction
        else:
            from psycopg.pq import TransactionStatus

            assert _reader().info.transaction_status == TransactionStatus.IDLE


def test_a_dropped_reader_connection_is_replaced_without_an_error(app):
    with app.app_context():
        token = _new_draft({"phq9_1": "2"})
        store.find_draft(token, 72)
        broken = _reader()
        broken.close()
        assert store.find_draft(token, 72).answers == {"phq9_1": "2"}
        assert _reader() is not broken


def test_each_thread_reads_on_its_own_connection(app):
    with app.app_context():
        token = _new_draft({"phq9_1": "3"})
        store.find_draft(token, 72)
        mine, seen = _reader(), {}

    def read_elsewhere():
        with app.app_context():
            seen["answers"] = store.find_draft(token, 72).answers
            seen["connection"] = _reader()

    worker = threading.Thread(target=read_elsewhere)
    worker.start()
    worker.join(timeout=30)
    assert seen["answers"] == {"phq9_1": "3"}
    assert seen["connection"] is not mine


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_second_app_in_the_same_thread_reads_its_own_database(app, tmp_path):
    with app.app_context():
        first = _new_draft({"phq9_1": "1"})
    other = create_app({"TESTING": True, "SECRET_KEY": "other",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}"})
    with other.app_context():
        db.create_all()
        second = _new_draft({"phq9_1": "2"})
        assert store.find_draft(first, 72) is None
        assert store.find_draft(second, 72).answers == {"phq9_1": "2"}
    with app.app_context():
        assert store.find_draft(first, 72).answers == {"phq9_1": "1"}
        assert store.find_draft(second, 72) is None
    with other.app_context():
        db.engine.dispose()


def test_a_thread_s_reader_connection_is_closed_when_the_thread_ends(app):
    with app.app_context():
        token = _new_draft()
    seen = {}

    def read_and_end():
        with app.app_context():
            store.find_draft(token, 72)
            seen["connection"] = _reader()

    worker = threading.Thread(target=read_and_end)
    worker.start()
    worker.join(timeout=30)
    del worker
    gc.collect()
    connection = seen["connection"]
    if hasattr(connection, "closed"):  # psycopg
        assert connection.closed
    else:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            connection.execute("SELECT 1")

"""Nothing lost under concurrency (security-performance.md §A9).

Submit is idempotent under simultaneous requests on both backends; on SQLite, writers wait for
each other instead of failing early (BEGIN IMMEDIATE), and a database locked past the busy timeout
answers 503 with the typed answers kept.
"""

import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from screening.database import db, write_transaction
from screening.models import Draft, Submission
from screening.patient import store

from .helpers import displayed_code, full_answers

SQLITE_ONLY = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _database_file(app) -> str:
    with app.app_context():
        return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


def _run_together(count: int, work, timeout: float = 60):
    """Run work(index, barrier) in `count` threads that wait for each other at the barrier.
    Returns each thread's result or the exception it raised, in index order."""
    barrier = threading.Barrier(count, timeout=timeout)

    def guarded(index):
        try:
            return work(index, barrier)
        except Exception as error:  # reported to the test, not swallowed
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(guarded, range(count), timeout=timeout))


# (a) both backends ------------------------------------------------------------------------------

def test_simultaneous_submits_record_one_submission(app, patient):
    patient.begin()
    review = patient.follow_to_review(full_answers())
    assert review.status_code == 200
    token = patient.client.get_cookie("draft").value
    clients = []
    for _ in range(8):
        client = app.test_client()
        client.set_cookie("draft", token)
        clients.append(client)

    def press_send(index, barrier):
        barrier.wait()
        return clients[index].post("/submit")

    responses = _run_together(8, press_send)
    for response in responses:
        assert not isinstance(response, Exception), response
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert response.headers["Location"].endswith("/done")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        stored = db.session.scalar(select(Submission.code))
    shown = set()
    for client in clients:
        done = client.get("/done")
        assert done.status_code == 200
        shown.add(displayed_code(done.get_data(as_text=True)))
    assert shown == {stored}


def test_simultaneous_saves_of_one_draft_lose_no_answer(app, monkeypatch):
    """Two tabs of one patient save different steps at the same moment: both answers survive.

    `store.utcnow` is slowed so that every save reads the draft before any save commits; only
    a write that locks the draft before reading it (BEGIN IMMEDIATE on SQLite, SELECT ... FOR
    UPDATE on PostgreSQL) keeps every answer."""
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token)
    real_utcnow = store.utcnow

    def slow_utcnow():
        time.sleep(0.3)
        return real_utcnow()

    monkeypatch.setattr(store, "utcnow", slow_utcnow)

    def save(index, barrier):
        with app.app_context():
            barrier.wait()
            return store.save_answers(token, {f"phq9_{index + 1}": str(index % 4)})

    results = _run_together(4, save)
    assert [saved[f"phq9_{i + 1}"] for i, saved in enumerate(results)] == ["0", "1", "2", "3"]
    monkeypatch.setattr(store, "utcnow", real_utcnow)
    with app.app_context():
        answers = store.find_draft(token, 72).answers
    assert answers == {f"phq9_{i + 1}": str(i % 4) for i in range(4)}


def _saved_in_two_tabs(app, first: dict, second: dict) -> dict:
    """Two tabs read the draft, then both save: the second writes over what it read, which is no
    longer the draft. Returns the draft's answers afterwards."""
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token)
        read_by_both_tabs = store.find_draft(token, 72)
        store.save_answers(token, first, read_by_both_tabs)
        store.save_answers(token, second, read_by_both_tabs)
        return store.find_draft(token, 72).answers


def test_a_save_over_a_stale_read_keeps_the_save_made_in_between(app):
    answers = _saved_in_two_tabs(app, {"phq9_1": "1"}, {"phq9_2": "2"})
    assert (answers["phq9_1"], answers["phq9_2"]) == ("1", "2")


def test_a_stale_read_keeps_both_safety_answers_in_the_order_saved(app):
    history = _saved_in_two_tabs(app, {"phq9_9": "2"}, {"phq9_9": "0"})["safety_history"]
    given = [e for e in history if e.get("question") == "phq9_9"]
    assert [e["answer"] for e in given] == ["2", "0"]
    assert [e["at"] for e in given] == sorted(e["at"] for e in given)


def test_a_fresh_read_saves_in_one_update(app):
    """The usual tap: one UPDATE over the version read, no second read of the draft."""
    token = store.new_draft_token()
    statements = []

    def note(_connection, _cursor, sql, *_args):
        statements.append(" ".join(sql.split()).upper())

    with app.app_context():
        store.create_draft(token)
        fresh = store.find_draft(token, 72)
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            store.save_answers(token, {"phq9_1": "3"}, fresh)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        after = store.find_draft(token, 72)
    assert [s for s in statements if "DRAFTS" in s] == [
        s for s in statements if s.startswith("UPDATE DRAFTS")]
    assert len([s for s in statements if "DRAFTS" in s]) == 1
    assert (after.answers["phq9_1"], after.version) == ("3", fresh.version + 1)


# (b) SQLite: writers wait instead of failing early ----------------------------------------------

@SQLITE_ONLY
def test_two_read_then_write_transactions_both_succeed(app):
    token = store.new_draft_token()
    with app.app_context():
        store.create_draft(token)

    def read_then_write(index, barrier):
        with app.app_context():
            barrier.wait()
            started = time.monotonic()
            with write_transaction() as session:
                draft = session.scalar(select(Draft))
                time.sleep(0.3)  # both are inside their transaction at once
                draft.answers = {**draft.answers, f"writer_{index}": "yes"}
            return time.monotonic() - started

    results = _run_together(2, read_then_write)
    assert all(isinstance(result, float) for result in results), results
    assert max(results) >= 0.55  # the second writer waited for the first, as it should
    with app.app_context():
        answers = db.session.scalar(select(Draft.answers))
    assert answers == {"writer_0": "yes", "writer_1": "yes"}  # and neither write was lost


@SQLITE_ONLY
def test_deferred_read_then_write_fails_at_once(app):
    """The control: plain BEGIN, a read, then a write from two connections at once. One of them
    gets 'database is locked' immediately, although the busy timeout is 5 s."""
    path = _database_file(app)
    with app.app_context():
        store.create_draft(store.new_draft_token())

    def deferred(index, barrier):
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            connection.execute("BEGIN")
            connection.execute("SELECT answers FROM drafts").fetchall()
            barrier.wait()
            started = time.monotonic()
            try:
                connection.execute("UPDATE drafts SET language = ?", (f"w{index}",))
            except sqlite3.OperationalError as error:
                connection.execute("ROLLBACK")
                return str(error), time.monotonic() - started
            time.sleep(0.3)
            connection.execute("COMMIT")
            return "ok", time.monotonic() - started
        finally:
            connection.close()

    results = _run_together(2, deferred)
    outcomes = sorted(outcome for outcome, _ in results)
    assert outcomes == ["database is locked", "ok"], results
    failed_after = next(elapsed for outcome, elapsed in results if outcome != "ok")
    assert failed_after < 1.0  # far below the 5 s busy timeout: it never waited


@SQLITE_ONLY
def test_a_waiting_writer_starts_as_soon_as_the_lock_is_free(app):
    # SQLite's own busy handler would try next about 93 ms after this release (at 328 ms).
    locker = sqlite3.connect(_database_file(app), isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    released = {}

    def release():
        time.sleep(0.235)
        locker.execute("ROLLBACK")
        released["at"] = time.monotonic()

    thread = threading.Thread(target=release)
    thread.start()
    try:
        with app.app_context(), write_transaction():
            acquired = time.monotonic()
    finally:
        thread.join()
        locker.close()
    assert acquired - released["at"] < 0.03


# (c) SQLite: a database locked past the busy timeout --------------------------------------------

@SQLITE_ONLY
@pytest.mark.parametrize("app_config", [{"SQLITE_BUSY_TIMEOUT_MS": 300}], ids=["busy300ms"])
def test_locked_database_answers_503_and_keeps_the_answer(app, client):
    assert client.post("/begin").status_code == 302
    path = _database_file(app)
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        busy = client.post("/step/1", data={"phq9_1": "2"})
        elapsed = time.monotonic() - started
        assert busy.status_code == 503
        assert busy.headers.get("Retry-After", "").isdigit()
        # The busy page carries the answer back, ready to be sent again.
        assert re.findall(r'type="hidden" name="phq9_1" value="(\d)"', busy.text) == ["2"]
        assert 'action="/step/1"' in busy.text
        assert 0.25 <= elapsed < 3  # it waited for the busy timeout, then gave up
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    with app.app_context():
        assert db.session.scalar(select(Draft.answers)) == {}  # no partial write
    retry = client.post("/step/1", data={"phq9_1": "2"})
    assert retry.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Draft.answers)) == {"phq9_1": "2"}
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        check.close()


# (d) SQLite: the settings on a pooled connection ------------------------------------------------

@SQLITE_ONLY
@pytest.mark.parametrize(
    ("app_config", "busy_timeout"),
    [({}, 5000), ({"SQLITE_BUSY_TIMEOUT_MS": 1234}, 1234)],
    ids=["default", "configured"],
)
def test_pooled_sqlite_connection_pragmas(app, busy_timeout):
    with app.app_context():
        for _ in range(2):  # a fresh connection and the same one back from the pool
            with db.engine.connect() as connection:
                pragma = connection.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
                assert pragma("PRAGMA busy_timeout").scalar() == busy_timeout
                assert pragma("PRAGMA foreign_keys").scalar() == 1
                assert pragma("PRAGMA secure_delete").scalar() == 1
        session_connection = db.session.connection()  # what the views actually use
        assert session_connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == busy_timeout
        with write_transaction() as session:  # a write waits in Python, then restores the timeout
            assert session.connection().exec_driver_sql(
                "PRAGMA busy_timeout").scalar() == busy_timeout

"""The SQLAlchemy object (`db`) and the settings that make SQLite safe for concurrent writers.

SQLite: WAL with synchronous=FULL (a commit survives power loss), a busy timeout, and writes that
start with BEGIN IMMEDIATE, because a deferred transaction that reads and then writes fails at
once with SQLITE_BUSY instead of waiting. A writer waiting for another is retried every half
millisecond up to the busy timeout: SQLite's own busy handler sleeps 1, 2, 5 ... 100 ms between
tries, so in a queue of writers some would wait several times longer than the queue ahead of them.
"""

import sqlite3
import time
from contextlib import contextmanager

import click
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

from screening.errors import StorageBusy

IMMEDIATE = "screening_begin_immediate"


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def init_app(app) -> None:
    db.init_app(app)
    with app.app_context():
        if is_sqlite(db.engine):
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.cli.add_command(init_db)


@click.command("init-db")
def init_db() -> None:
    """Create the tables (development; production uses `flask db upgrade`)."""
    db.create_all()
    click.echo("Database ready.")


def reclaim_space() -> None:
    """Leave no copy of deleted rows on disk (SQLite): secure_delete has zeroed their pages in
    the database, VACUUM rewrites the file without free pages, and a TRUNCATE checkpoint copies
    the WAL into the database and cuts the WAL to zero bytes. In WAL mode there is no rollback
    journal. Another process's connections (a running server's pool) do not hold the WAL open
    between transactions, so the checkpoint waits (busy timeout) for any read in progress."""
    if not is_sqlite(db.engine):
        return
    # VACUUM cannot run inside a transaction, and the engine's connections always begin one.
    connection = db.engine.raw_connection()
    try:
        connection.execute("VACUUM")
        busy, _frames, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StorageBusy("the WAL could not be emptied; run purge again")
    finally:
        connection.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's begin event decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(IMMEDIATE):
            _begin_immediate(connection, busy_timeout_ms)
        else:
            # Straight to sqlite3, as _begin_immediate does: every request begins one of these.
            connection.connection.driver_connection.execute("BEGIN")


RETRY_PAUSE_S = 0.0005


def _begin_immediate(connection: Connection, busy_timeout_ms: int) -> None:
    """Take the write lock, trying again every RETRY_PAUSE_S until the busy timeout runs out.

    The tries go straight to the sqlite3 connection: under load a worker may try a few dozen
    times, and each try through SQLAlchemy's statement machinery costs it CPU that the worker
    holding the lock needs.
    """
    sqlite = connection.connection.driver_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    sqlite.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                sqlite.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    raise StorageBusy("the database stayed locked") from error
            time.sleep(RETRY_PAUSE_S)
    finally:
        sqlite.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


@contextmanager
def write_transaction():
    """One committed write. On SQLite it holds the write lock from the first statement.

    A database still locked when the busy timeout runs out raises StorageBusy, which every page
    answers the same way (errors.storage_busy).
    """
    session = db.session
    session.rollback()
    try:
        session.connection(execution_options={IMMEDIATE: True})
        yield session
        session.commit()
    except OperationalError as error:
        session.rollback()
        raise StorageBusy from error
    except BaseException:
        session.rollback()
        raise


@contextmanager
def write_connection():
    """write_transaction for Core statements on a connection of their own, without the ORM
    session's bookkeeping: for the one UPDATE every patient's every tap makes."""
    try:
        with db.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                yield connection
    except OperationalError as error:
        raise StorageBusy from error

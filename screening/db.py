"""The SQLAlchemy object and the storage settings that make SQLite safe for concurrent writers.

SQLite: WAL with synchronous=FULL (a commit survives power loss), a busy timeout, and writes that
start with BEGIN IMMEDIATE, because a deferred transaction that reads and then writes fails at
once with SQLITE_BUSY instead of waiting. A writer waiting for another is retried every half
millisecond up to the busy timeout: SQLite's own busy handler sleeps 1, 2, 5 ... 100 ms between
tries, so in a queue of writers some would wait several times longer than the queue ahead of them.
"""

import threading
import time
import weakref
from contextlib import contextmanager, suppress
from functools import cache

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

IMMEDIATE = "screening_begin_immediate"


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


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
            connection.exec_driver_sql("BEGIN")


RETRY_PAUSE_S = 0.0005


def _begin_immediate(connection: Connection, busy_timeout_ms: int) -> None:
    """Take the write lock, trying again every RETRY_PAUSE_S until the busy timeout runs out."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if "locked" not in str(error.orig) or time.monotonic() >= deadline:
                    raise
            time.sleep(RETRY_PAUSE_S)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


@contextmanager
def write_transaction():
    """One committed write. On SQLite it holds the write lock from the first statement."""
    session = db.session
    session.rollback()
    session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def first_row(statement: Select, **params) -> tuple | None:
    """The first row of a read-only SELECT, on this thread's reader connection.

    For the one read every patient request makes. SQLAlchemy's execution layer (a transaction
    begun and rolled back, result objects) costs several times the query itself, and so does
    checking a connection out of its pool and back in (about a tenth of a step GET). The SQL, its
    parameters and the decoding of each column are still SQLAlchemy's, compiled once per dialect,
    so SQLite and PostgreSQL return the same values as a normal execute would. Parameters are
    passed as given, so they must be plain values such as strings.
    """
    engine = db.engine
    compiled, decoders = _compiled(statement, engine.dialect)
    values = compiled.construct_params(params)
    if compiled.positiontup is not None:  # SQLite's "?" placeholders
        values = [values[name] for name in compiled.positiontup]
    try:
        row = _fetch_first(_reader(engine), compiled.string, values)
    except engine.dialect.loaded_dbapi.Error:
        _close_reader()  # a dropped or broken connection: the read is safe to try once more
        row = _fetch_first(_reader(engine), compiled.string, values)
    if row is None:
        return None
    pairs = zip(decoders, row, strict=True)
    return tuple(decode(value) if decode else value for decode, value in pairs)


_readers = threading.local()


def _reader(engine: Engine):
    """This thread's connection for first_row, opened through the engine's pool (so with its
    connect settings) and then detached from it, so no pool bookkeeping runs per read. In
    autocommit, a read is one statement: PostgreSQL's driver sends no BEGIN and no ROLLBACK."""
    if getattr(_readers, "engine", None) is not engine:
        _close_reader()
        pooled = engine.raw_connection()
        pooled.detach()
        connection = pooled.dbapi_connection
        engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
        # Closed when its thread ends: a threaded development server starts one per request.
        _readers.close = weakref.finalize(threading.current_thread(), _close_quietly, connection)
        _readers.engine, _readers.connection = engine, connection
    return _readers.connection


def _close_reader() -> None:
    close = getattr(_readers, "close", None)
    _readers.engine = _readers.connection = _readers.close = None
    if close is not None:
        close()


def _close_quietly(connection) -> None:
    with suppress(Exception):  # it may be the broken one
        connection.close()


def _fetch_first(connection, sql: str, values) -> tuple | None:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, values)
        return cursor.fetchone()
    finally:
        cursor.close()


@cache
def _compiled(statement: Select, dialect: Dialect):
    compiled = statement.compile(dialect=dialect)
    decoders = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in statement.selected_columns]
    return compiled, decoders

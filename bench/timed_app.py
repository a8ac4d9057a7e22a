"""The app exactly as wsgi.py builds it, plus server-side timing of each request, for load.py.

Served as `gunicorn -c gunicorn.conf.py 'bench.timed_app:build()'` by `load.py --realistic`.
Each worker appends one tab-separated line per request to BENCH_TIMING_DIR/<pid>.tsv: the kind
of request (method and route, never an answer), then milliseconds of wall time, worker CPU,
SQL statements, waiting for SQLite's write lock, committing (SQLite: the fsync), template
rendering, and encryption (answers and codes encrypted, decrypted, hashed).

Only public hooks are used: a WSGI wrapper, SQLAlchemy engine and session events, Flask's
template signals, and a timing wrapper around the app's own encryption keys.
"""

import os
import re
import time

from flask import before_render_template, template_rendered
from sqlalchemy import event

from screening import create_app
from screening.database import IMMEDIATE, db
from screening.encryption import EXTENSION

FIELDS = ("wall", "cpu", "sql", "begin", "commit", "render", "crypto")
ROUTES = [
    ("GET", re.compile(r"^/$"), "GET start"),
    ("POST", re.compile(r"^/begin$"), "POST begin"),
    ("GET", re.compile(r"^/step/\d+$"), "GET step"),
    ("POST", re.compile(r"^/step/\d+$"), "POST step"),
    ("GET", re.compile(r"^/step/\d+/item/new$"), "GET new item"),
    ("GET", re.compile(r"^/step/\d+/item/[^/]+$"), "GET item"),
    ("POST", re.compile(r"^/step/\d+/item/[^/]+$"), "POST item"),
    ("GET", re.compile(r"^/review$"), "GET review"),
    ("POST", re.compile(r"^/submit$"), "POST submit"),
    ("GET", re.compile(r"^/done$"), "GET done"),
    ("GET", re.compile(r"^/summary$"), "GET summary"),
]


def kind_of(method: str, path: str) -> str:
    for route_method, pattern, name in ROUTES:
        if method == route_method and pattern.match(path):
            return name
    return f"{method} other"


class Clock:
    """Time spent in each part of the current request (a sync worker serves one at a time)."""

    def __init__(self):
        self.parts = dict.fromkeys(FIELDS, 0.0)
        self.started: dict[str, float] = {}

    def start(self, part: str) -> None:
        self.started[part] = time.perf_counter()

    def stop(self, part: str) -> None:
        began = self.started.pop(part, None)
        if began is not None:
            self.parts[part] += time.perf_counter() - began

    def forget(self, part: str) -> None:
        """A part started that turned out not to be one (a read's connection, not a write's)."""
        self.started.pop(part, None)


clock = Clock()


class TimedKeys:
    """The app's encryption keys, with the time spent in them added to the request's clock."""

    def __init__(self, keys):
        self._keys = keys

    def __getattr__(self, name):
        method = getattr(self._keys, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                clock.parts["crypto"] += time.perf_counter() - began

        return timed


def _listen(app) -> None:
    with app.app_context():
        engine = db.engine

    # SQLite: a write transaction takes a pooled connection, then screening/database.py's own
    # "begin" listener tries BEGIN IMMEDIATE until it gets the write lock; this listener runs
    # after it, so the wait is the time since the connection was taken.
    @event.listens_for(engine, "checkout")
    def connection_taken(*_args):
        clock.start("begin")

    @event.listens_for(engine, "begin")
    def write_lock_taken(connection):
        if connection.get_execution_options().get(IMMEDIATE):
            clock.stop("begin")
        else:
            clock.forget("begin")

    @event.listens_for(engine, "before_cursor_execute")
    def statement_starts(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "PRAGMA")):
            clock.start("sql")

    @event.listens_for(engine, "after_cursor_execute")
    def statement_done(_conn, _cursor, _statement, *_args):
        clock.stop("sql")

    @event.listens_for(engine, "commit")
    def commit_starts(_connection):
        clock.start("commit")

    # Every write gives its connection back as soon as it has committed, through the ORM
    # session or as one Core statement (patient saves): no engine event follows the commit.
    @event.listens_for(engine, "checkin")
    def commit_done(*_args):
        clock.stop("commit")

    @before_render_template.connect_via(app)
    def render_starts(_sender, **_extra):
        clock.start("render")

    @template_rendered.connect_via(app)
    def render_done(_sender, **_extra):
        clock.stop("render")


def _timed(app, wsgi_app, out):
    def timed_app(environ, start_response):
        global clock
        clock = Clock()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return wsgi_app(environ, start_response)
        finally:
            clock.parts["wall"] = time.perf_counter() - wall
            clock.parts["cpu"] = time.process_time() - cpu
            kind = kind_of(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
            out.write(kind + "\t" + "\t".join(f"{clock.parts[f] * 1000:.3f}" for f in FIELDS)
                      + "\n")

    return timed_app


def build():
    application = create_app()
    _listen(application)
    application.extensions[EXTENSION] = TimedKeys(application.extensions[EXTENSION])
    directory = os.environ["BENCH_TIMING_DIR"]
    out = open(os.path.join(directory, f"{os.getpid()}.tsv"), "a", buffering=1)  # noqa: SIM115
    application.wsgi_app = _timed(application, application.wsgi_app, out)
    return application


"""Debian's Chromium through Playwright, shared by every browser test in the run, and a live server.

Playwright's sync API allows one instance per thread, so the whole run shares one instance
and one browser; each test opens its own context.
"""

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from screening import create_app
from screening.database import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = "Chromium not found at"


def require_chromium() -> str:
    """Fail (never skip) when the browser the suite is built on is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM_MISSING} {CHROMIUM}: install Debian's chromium package "
            "(`make system-deps` as root) or set CHROMIUM_PATH. Browser tests never skip.",
            pytrace=False,
        )
    return CHROMIUM


def launch_options() -> dict:
    return {"executable_path": require_chromium(), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    require_chromium()
    browser = playwright_instance.chromium.launch(**launch_options())
    yield browser
    browser.close()


class LiveServer:
    """The app served on a free loopback port from a thread, for a real browser to talk to."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @classmethod
    @contextmanager
    def running(cls, database: Path, secret: str):
        """A fresh app on `database` (CSRF on: real browsers post real forms), served until exit."""
        app = create_app({"TESTING": True, "SECRET_KEY": secret,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
        with app.app_context():
            db.create_all()
        live = cls(app)
        live._thread.start()
        try:
            yield live
        finally:
            live._server.shutdown()
            live._thread.join(timeout=5)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

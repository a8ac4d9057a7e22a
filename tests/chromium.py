"""Debian's Chromium through Playwright, shared by every browser test in the run.

Playwright's sync API allows one instance per thread, so the whole run shares one instance
and one browser; each test opens its own context.
"""

import os

import pytest

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

"""Helpers for the tests that run gunicorn: the project's config, free ports, waiting, CSRF."""

import re
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
ENV_SETTINGS = ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_LOG_LEVEL", "FORWARDED_ALLOW_IPS")


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not listen on port {port} within 30 s:\n{log.read_text()}")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)

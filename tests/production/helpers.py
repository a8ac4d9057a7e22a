"""Helpers for the tests that run gunicorn: the project's config, free ports, waiting, CSRF."""

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from tests.helpers import ENCRYPTION_KEY

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


@contextmanager
def served(tmp_path: Path, **settings: str):
    """gunicorn (2 workers, gunicorn.conf.py) on a migrated SQLite file in `tmp_path`, which is
    also the instance folder; yields (base URL, environment for `flask` commands)."""
    env = {**os.environ, "FLASK_SECRET_KEY": "served-test-secret-" + "x" * 20,
           "FLASK_ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
           "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'screening.db'}",
           **{f"FLASK_{name}": value for name, value in settings.items()}}
    for name in ENV_SETTINGS:
        env.pop(name, None)
    flask(env, "db", "upgrade")
    port = free_port()
    env_served = env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    log = tmp_path.parent / f"{tmp_path.name}-gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "wsgi:app"],
            cwd=ROOT, env=env_served, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}", env
    finally:
        stop(process)


def flask(env: dict, *args: str) -> str:
    """Run `flask --app screening ARGS` as cron or an operator would; returns its output."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "screening", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def stop(process: subprocess.Popen) -> None:
    """Stop a server the way a service manager would: TERM, then KILL after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

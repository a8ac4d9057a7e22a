"""Two gunicorn servers on one database share sign-in throttling and staff sessions.

Nothing that protects staff sign-in lives in process memory (DESIGN.md §4): the failure counters
and the sessions are database rows, so a limit set on one worker or host holds on every other.
Two separate gunicorn processes (each with its own workers) make that deterministic: requests
alternate between them.
"""

import os
import re
import subprocess
import sys

import pytest
import requests

from tests.helpers import ENCRYPTION_KEY
from tests.production.helpers import (
    CONF,
    ENV_SETTINGS,
    ROOT,
    csrf_from,
    free_port,
    wait_until_listening,
)

PASSWORD = "correct horse battery staple clinic"


def _env(database) -> dict:
    env = {**os.environ, "FLASK_SECRET_KEY": "shared-state-secret-" + "x" * 20,
           "FLASK_ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
           "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
           # Plain http on loopback: a cookie without the __Host- prefix, and password-only
           # sign-in so the test is about shared state, not about TOTP.
           "FLASK_STAFF_COOKIE_NAME": "staff", "FLASK_STAFF_TOTP_REQUIRED": "false"}
    for name in ENV_SETTINGS:
        env.pop(name, None)
    return env


def _flask(env, *args, stdin: str = "") -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "screening", *args], cwd=ROOT,
                          env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def two_servers(tmp_path):
    env = _env(tmp_path / "shared.db")
    _flask(env, "db", "upgrade")
    for name in ("alice", "bob"):
        _flask(env, "staff", "create", name, "--role", "clinician", "--password-stdin",
               stdin=PASSWORD + "\n")
    servers, processes = [], []
    try:
        for index in range(2):
            port = free_port()
            log = tmp_path / f"gunicorn-{index}.err"
            with log.open("wb") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", str(CONF), "wsgi:app"], cwd=ROOT,
                    env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
                    stdout=subprocess.DEVNULL, stderr=stderr)
            processes.append(process)
            wait_until_listening(port, process, log)
            servers.append(f"http://127.0.0.1:{port}")
        yield servers
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def sign_in(base: str, session: requests.Session, username: str, password: str):
    token = csrf_from(session.get(f"{base}/staff/login").text)
    return session.post(f"{base}/staff/login", allow_redirects=False,
                        data={"username": username, "password": password, "csrf_token": token})


def test_sign_in_throttle_holds_across_servers(two_servers):
    with requests.Session() as session:
        for attempt in range(5):
            refused = sign_in(two_servers[attempt % 2], session, "alice", "wrong password, sorry")
            assert refused.status_code == 401
        # The sixth try, with the right password, on either server, is still refused.
        for base in two_servers:
            response = sign_in(base, session, "alice", PASSWORD)
            assert response.status_code in (401, 429), response.status_code
            assert "staff" not in session.cookies


def test_a_session_works_on_both_servers_and_ends_on_both(two_servers):
    first, second = two_servers
    with requests.Session() as session:
        assert sign_in(first, session, "bob", PASSWORD).status_code == 302
        copied = session.cookies.get("staff")
        assert session.get(f"{second}/staff/", allow_redirects=False).status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          session.get(f"{second}/staff/").text).group(1)
        assert session.post(f"{second}/staff/logout", data={"csrf_token": token}).ok
    with requests.Session() as replay:
        replay.cookies.set("staff", copied)
        response = replay.get(f"{first}/staff/", allow_redirects=False)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]

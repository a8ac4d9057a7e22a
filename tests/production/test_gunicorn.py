"""gunicorn with the project's gunicorn.conf.py: sensible settings, and no patient IP in any log.

security-performance.md A6: the client is bound to the loopback alias 127.0.0.7, walks a patient
through the questionnaire (plus a 404 and a malformed request, which gunicorn itself reports with
the client's address), and "127.0.0.7" must appear nowhere in gunicorn's stdout or stderr.
"""

import os
import re
import runpy
import socket
import subprocess
import sys
import time

import pytest
import requests
from gunicorn.config import Config
from requests.adapters import HTTPAdapter

from screening.config import DEFAULTS
from screening.domain import flow
from tests.helpers import ENCRYPTION_KEY, REST_OF_FLOW
from tests.production.helpers import (
    CONF,
    ENV_SETTINGS,
    ROOT,
    csrf_from,
    free_port,
    stop,
    wait_until_listening,
)

CLIENT_ADDRESS = "127.0.0.7"


def load_config(monkeypatch, **env) -> Config:
    """gunicorn.conf.py read the way gunicorn reads it, with only the given variables set."""
    for name in ENV_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_default_settings(monkeypatch):
    config = load_config(monkeypatch)
    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == min(2 * (os.cpu_count() or 1) + 1, 8)  # gunicorn's advice
    assert config.worker_class_str == "sync"
    assert config.timeout == 30
    assert config.timeout * 1000 > DEFAULTS["SQLITE_BUSY_TIMEOUT_MS"]
    assert 0 < config.graceful_timeout <= config.timeout
    assert config.accesslog is None
    assert config.errorlog == "-"
    assert config.forwarded_allow_ips == []
    assert config.preload_app is False
    assert config.logger_class.__name__ == "PrivateLogger"


def test_settings_from_the_environment(monkeypatch):
    config = load_config(monkeypatch, GUNICORN_BIND="127.0.0.1:9001,[::1]:9001",
                         WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert config.bind == ["127.0.0.1:9001", "[::1]:9001"]
    assert config.workers == 3
    assert config.forwarded_allow_ips == ["10.0.0.5"]


def test_the_logger_never_writes_an_access_log(monkeypatch, capsys):
    config = load_config(monkeypatch)
    config.set("accesslog", "-")  # as if `--access-logfile -` were given on the command line
    logger = config.logger_class(config)
    assert not logger.access_log_enabled
    logger.warning("Invalid request from ip=%s: %s", "203.0.113.9", "bad")
    logger.info("Listening at: http://127.0.0.1:8000")
    err = capsys.readouterr().err
    assert "203.0.113.9" not in err and "ip=[address removed]: bad" in err
    assert "http://127.0.0.1:8000" in err


# --- a real server ------------------------------------------------------------------------------

@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with gunicorn.conf.py on a migrated temporary SQLite database."""
    env = {**os.environ, "FLASK_SECRET_KEY": "gunicorn-test-secret-" + "x" * 20,
           "FLASK_ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
           "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'served.db'}"}
    for name in ENV_SETTINGS:
        env.pop(name, None)
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "screening", "db",
                               "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    env |= {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    out, err = tmp_path / "gunicorn.out", tmp_path / "gunicorn.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "wsgi:app"],
            cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
    try:
        wait_until_listening(port, process, err)
        yield f"http://127.0.0.1:{port}", process, out, err
    finally:
        stop(process)


class FromAddress(HTTPAdapter):
    """Connects from a chosen local address, like a patient's phone with its own IP."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (CLIENT_ADDRESS, 0)
        super().init_poolmanager(*args, **kwargs)


def _walk_a_patient(base: str, session: requests.Session) -> None:
    """Start, PHQ-9 with item 9 positive, the safety pathway, the rest, review, send, summary."""
    answers = REST_OF_FLOW | {f"phq9_{n}": "1" for n in range(1, 10)} | {
        "phq9_10": "1", "asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no"}
    response = session.post(f"{base}/begin", data={"csrf_token": csrf_from(session.get(base).text)})
    seen = []
    while "/step/" in response.url:
        step = flow.step_by_number(int(re.search(r"/step/(\d+)", response.url).group(1)))
        seen.append(step.id)
        data = {q: answers[q] for q in step.questions if q in answers}
        data = {} if step.kind == "notice" else data
        data = {"answer": "none"} if step.kind == "repeat" else data
        response = session.post(response.url, data={**data, "csrf_token": csrf_from(response.text)})
        assert response.status_code == 200, (step.id, response.text[:500])
        assert len(seen) < 60
    assert {"phq9_9", "safety", "asq_4", "medical_other"} <= set(seen), seen
    assert response.url.endswith("/review"), response.url
    done = session.post(f"{base}/submit", data={"csrf_token": csrf_from(response.text)})
    assert done.url.endswith("/done") and done.status_code == 200
    assert session.get(f"{base}/summary").status_code == 200


def test_no_patient_ip_reaches_any_log(gunicorn):
    base, process, out, err = gunicorn
    with requests.Session() as session:
        session.mount("http://", FromAddress())
        _walk_a_patient(base, session)
        assert session.get(f"{base}/no-such-page").status_code == 404
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5,
                                  source_address=(CLIENT_ADDRESS, 0)) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")  # gunicorn warns "Invalid request from ip=..."
        raw.recv(1024)
    time.sleep(0.5)
    process.terminate()
    process.wait(timeout=30)
    logged = out.read_text(errors="replace") + err.read_text(errors="replace")
    assert logged.count("Booting worker") >= 2, logged  # the logs were captured at all
    assert "Invalid request from ip=[address removed]" in logged, logged
    assert CLIENT_ADDRESS not in logged, logged
    assert "/step/" not in logged and "GET " not in logged and "POST " not in logged, logged

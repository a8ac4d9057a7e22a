"""Shared pieces of the benchmarks: servers on loopback, a patient's browser, and statistics.

Everything runs on 127.0.0.1 with temporary databases; nothing here needs the internet.
"""

import gzip
import hashlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from tests.storage.postgres import (  # noqa: E402 - needs ROOT on the path
    PostgresNotInstalled,
    find_bindir,
    running_postgres,
)

__all__ = ["PostgresNotInstalled"]

SECRET = "bench-secret-" + "0123456789abcdef" * 2
# A fixed key: benchmark databases are temporary and hold made-up answers only.
ENCRYPTION_KEY = "YmVuY2gta2V5LW5vdC1mb3ItcGF0aWVudHMtMDEyMzQ="
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- the machine ---------------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return (f"{os.cpu_count()} CPUs (nproc), {cpu}, {ram} RAM, Python {platform.python_version()}"
            f", {platform.system()} {platform.release()}")


def _spin(_index: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - started


def effective_cores() -> float:
    """How many CPUs' worth of work this machine really does at once (vCPUs may share a core)."""
    import multiprocessing

    count = os.cpu_count() or 1
    alone = _spin(0)
    with multiprocessing.Pool(count) as pool:
        together = pool.map(_spin, range(count))
    return count * alone / max(together)


# --- numbers -------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def latency_line(name: str, seconds: list[float], elapsed: float | None = None) -> str:
    ms = [s * 1000 for s in seconds]
    rate = f"{len(ms) / elapsed:8.1f} req/s  " if elapsed else ""
    return (f"{name:<28} n={len(ms):<6} {rate}p50 {percentile(ms, 50):6.1f} ms  "
            f"p95 {percentile(ms, 95):6.1f} ms  p99 {percentile(ms, 99):6.1f} ms")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def draft_key(token: str) -> str:
    """How the app stores a draft token (screening/tokens.py): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    if not match:
        raise ValueError("no csrf_token on the page: " + html[:300])
    return match.group(1)


# --- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {seconds} s")


def app_env(database_url: str) -> dict:
    env = {**os.environ, "FLASK_SECRET_KEY": SECRET, "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
           "FLASK_ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY}
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"):
        env.pop(name, None)
    return env


def migrate(database_url: str) -> None:
    """`flask db upgrade`, as `make serve` does before starting gunicorn."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "screening", "db", "upgrade"],
                          cwd=ROOT, env=app_env(database_url), capture_output=True, text=True,
                          timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr}")


def configured_workers() -> int:
    """The worker count gunicorn.conf.py gives this machine (WEB_CONCURRENCY unset)."""
    import runpy

    saved = os.environ.pop("WEB_CONCURRENCY", None)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
    finally:
        if saved is not None:
            os.environ["WEB_CONCURRENCY"] = saved


class ServerProcess:
    """A server run as a child process, stopped when its `with` block ends."""

    process: subprocess.Popen

    def children(self) -> list[int]:
        """The processes the server started (gunicorn's or nginx's workers)."""
        try:
            path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Gunicorn(ServerProcess):
    """gunicorn with the project's gunicorn.conf.py on a free loopback port."""

    def __init__(self, app: str, workers: int, database_url: str, log: Path,
                 settings: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = app_env(database_url) | {"GUNICORN_BIND": f"127.0.0.1:{self.port}",
                                       "WEB_CONCURRENCY": str(workers)} | (settings or {})
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env=env, stdout=self._log, stderr=self._log)
        wait_for_port(self.port, self.process)
        self._wait_for_workers(workers)

    def _wait_for_workers(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def worker_pids(self) -> list[int]:
        return self.children()

    def worker_rss_mib(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        super().stop()
        self._log.close()


class NginxNotInstalled(RuntimeError):
    pass


def nginx_binary() -> str | None:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def nginx_installed() -> bool:
    return nginx_binary() is not None


# The README's production proxy ("Running in production"), without TLS: the same proxy headers,
# body limit and keep-alive, no access log.
NGINX_CONF = """\
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log crit;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 64k;
    keepalive_timeout 75s;
    keepalive_requests 10000;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_redirect off;
        }}
    }}
}}
"""

# What the app is told behind the proxy, as the README's production setup does.
BEHIND_PROXY = {"FLASK_PROXY_FIX_X_FOR": "1", "FLASK_PROXY_FIX_X_PROTO": "1"}


class Nginx(ServerProcess):
    """nginx on a free loopback port in front of `upstream_port`, configured as the README's
    production proxy (plain HTTP here); Debian: `apt-get install nginx-light`."""

    def __init__(self, upstream_port: int, directory: Path):
        binary = nginx_binary()
        if binary is None:
            raise NginxNotInstalled("nginx is not installed (apt-get install nginx-light)")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = directory / "nginx.conf"
        # As root, nginx's workers would switch to an unprivileged user that cannot write here.
        user = "user root;" if os.geteuid() == 0 else ""
        config.write_text(NGINX_CONF.format(user=user, dir=directory, port=self.port,
                                            upstream=upstream_port))
        self.process = subprocess.Popen(
            [binary, "-p", str(directory), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.process.pid, *self.children()]


@contextmanager
def werkzeug_server(database_url: str, **settings):
    """The app in a thread on 127.0.0.1 (port chosen by the OS), CSRF on, tables created."""
    from werkzeug.serving import make_server

    from screening import create_app
    from screening.database import db

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET,
                      "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY,
                      "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


@contextmanager
def scratch_dir(prefix: str):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def postgres_url():
    """A throwaway PostgreSQL server (tests/storage/postgres.py); raises when not installed."""
    find_bindir()
    with running_postgres("screening_bench") as url:
        yield url

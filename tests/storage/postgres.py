"""A throwaway PostgreSQL server for the storage tests.

`running_postgres()` makes a temporary data directory, runs `initdb -A trust -U postgres`, starts
the server on a free loopback port with its socket in the same directory and `fsync=off`, creates
one database, yields its SQLAlchemy URL, then stops the server and removes the directory.

initdb and postgres refuse to run as root, so as root they run as the `postgres` system user.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg

NOT_INSTALLED = (
    "PostgreSQL is not installed: run `make test` as root (it installs Debian's postgresql) "
    "or `sudo apt-get install postgresql`"
)
DATABASE = "screening_test"
SERVICE_USER = "postgres"


class PostgresNotInstalled(RuntimeError):
    pass


class PostgresFailed(RuntimeError):
    pass


def find_bindir() -> Path:
    """Debian's newest /usr/lib/postgresql/<version>/bin, else wherever `initdb` is on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: [int(p) if p.isdigit() else 0 for p in Path(path).parent.name.split(".")],
    )
    for bindir in reversed(candidates):
        if all((Path(bindir) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(bindir)
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    raise PostgresNotInstalled(NOT_INSTALLED)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_service_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError as error:
        raise PostgresFailed(
            f"Running as root but there is no `{SERVICE_USER}` system user to run PostgreSQL as; "
            "install Debian's postgresql package (it creates that user)."
        ) from error
    return ["runuser", "-u", SERVICE_USER, "--"]


def _run(command: list[str], cwd: Path, what: str, log: Path | None = None) -> None:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        server_log = log.read_text(errors="replace") if log and log.exists() else ""
        raise PostgresFailed(
            f"{what} failed (exit {done.returncode}): {' '.join(command)}\n"
            f"{done.stdout}\n{done.stderr}\n{server_log}".rstrip()
        )


@contextmanager
def running_postgres(database: str = DATABASE) -> Iterator[str]:
    """Yield `postgresql+psycopg://postgres@127.0.0.1:<port>/<database>` for a fresh server."""
    bindir = find_bindir()
    prefix = _as_service_user()
    workdir = Path(tempfile.mkdtemp(prefix="screening-pg-"))
    data, log = workdir / "data", workdir / "server.log"
    started = False
    try:
        if prefix:
            account = pwd.getpwnam(SERVICE_USER)
            os.chown(workdir, account.pw_uid, account.pw_gid)
        _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
              "-E", "UTF8", "--locale=C", "--no-sync"], workdir, "initdb")
        for _attempt in range(3):  # another process may grab the free port before we bind it
            port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off")
            try:
                _run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                      "-t", "60", "-o", options, "start"], workdir, "pg_ctl start", log)
            except PostgresFailed:
                if "could not bind" in (log.read_text(errors="replace") if log.exists() else ""):
                    continue
                raise
            started = True
            break
        else:
            raise PostgresFailed(f"PostgreSQL could not bind a free port:\n{log.read_text()}")
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                 "stop"], cwd=workdir, capture_output=True, timeout=60, check=False
            )
        shutil.rmtree(workdir, ignore_errors=True)

"""Many patients at once, nothing lost (security-performance.md A9), on SQLite and PostgreSQL.

Starts gunicorn (gunicorn.conf.py, 4 workers) on loopback against a migrated SQLite file, then
against a throwaway PostgreSQL server when its binaries are installed (tests/storage/postgres.py).
N simulated patients (default 200, at most `--concurrency` at a time), each with its own cookie
jar and its own loopback address (`loopback_address`: the server limits new questionnaires per
address and minute, and real patients use phones of their own), walk the WHOLE questionnaire with
random answers: every PHQ-9 item, the safety pathway when item 9 > 0, 0-3 medicine trials added
through /step/<n>/item/<id>, every treatment and medical step, review and send, each form with its
CSRF token. The next step is always the one the server redirects to. The run is bounded in
patients and in time (`--time-limit`).

Then every stored submission is checked against what its patient sent, straight from the database
with SQLAlchemy: exactly one submission per finished patient, the same answers, the code the
patient was shown, one draft per patient, no stray rows. Prints throughput, p50/p95/p99 per kind
of request, errors, mismatches and worker RSS.

Run: .venv/bin/python bench/load.py [--patients 200] [--concurrency 50] [--backend sqlite]

Realistic mode (DESIGN.md §5): `--realistic` holds every patient in the questionnaire at once
(default 1,000, started over `--ramp` seconds), each reading and filling in a page for a random
`--think` 2-8 s before tapping, against gunicorn with gunicorn.conf.py's worker count for this
machine. Besides the client's figures it prints where the time goes, measured inside the workers
(bench/timed_app.py): CPU, SQL, waiting for a transaction (SQLite's single write lock), commit
(fsync), rendering and encryption per kind of request, and the CPU used by the workers, by this
client and by everything else on the machine. Target: 0 errors, 0 mismatches, page p95 ≤ 150 ms,
where a page is what a patient waits for after a tap: the POST and the page it redirects to.
The patients are coroutines of one event loop in this process (bench/patient_driver.py
`AsyncPatient`, aiohttp), so that the client takes as little CPU as it can from the server on the
same machine; it prints its CPU per request. Each patient is a phone of its own: its own cookies,
and connections from its own loopback address (127.1.0.1, 127.1.0.2, ...: on Linux all of
127.0.0.0/8 is this machine), so the limit on new questionnaires per address and minute
(DRAFT_STARTS_PER_ADDRESS_MINUTE) counts each patient apart, as it would real phones.
The patients connect through nginx, configured as the README's production proxy (without TLS),
when it is installed (Debian: `apt-get install nginx-light`), and the app trusts its forwarding
headers as in production; `--front none` connects them to gunicorn itself. That is not how the app
is served, and it measures the client more than the server: gunicorn's sync worker, after each
reply, waits until the other end has closed the connection too, so a worker is held for as long as
this busy client takes to notice, where nginx closes at once.
Try it small first: --realistic --patients 50 --think 0.2-0.5
"""

import argparse
import asyncio
import os
import random
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import aiohttp
from benchlib import (
    BEHIND_PROXY,
    ENCRYPTION_KEY,
    SECRET,
    Gunicorn,
    Nginx,
    PostgresNotInstalled,
    configured_workers,
    draft_key,
    effective_cores,
    latency_line,
    machine,
    migrate,
    nginx_installed,
    percentile,
    postgres_url,
    scratch_dir,
    verdict,
)
from patient_driver import (
    AsyncPatient,
    Call,
    FlowError,
    Patient,
    RandomAnswers,
    Reply,
    Timings,
    Walk,
)
from sqlalchemy import func, select

from screening import create_app
from screening.database import db
from screening.domain import safety_history
from screening.models import Draft, Submission

KINDS = ["GET page", "POST step", "POST item", "POST submit"]


class TimeLimited(Patient):
    """A patient who stops when the run's time is up."""

    deadline = float("inf")

    def _request(self, *args, **kwargs):
        if time.monotonic() > self.deadline:
            raise FlowError("time limit reached")
        return super()._request(*args, **kwargs)


def loopback_address(index: int) -> str:
    """Patient `index`'s own source address: 127.1.0.1 to 127.1.0.250, then 127.1.1.1, ..."""
    if index >= 250 * 256:
        raise ValueError("more patients than loopback addresses in 127.1.0.0/16")
    return f"127.1.{index // 250}.{index % 250 + 1}"


def walked(patient, index: int, failures: list[str]):
    """`patient` walked through the whole flow; a failure is noted and leaves it without a code."""
    try:
        patient.complete()
    except (FlowError, OSError, ValueError) as error:
        failed(patient, index, error, failures)
    return patient


async def walked_async(patient: AsyncPatient, index: int, failures: list[str]):
    """`walked` for a patient of the event loop."""
    try:
        await patient.complete()
    except (FlowError, OSError, ValueError, aiohttp.ClientError) as error:
        failed(patient, index, error, failures)
    return patient


def failed(patient, index: int, error: Exception, failures: list[str]) -> None:
    failures.append(f"patient {index}: {type(error).__name__}: {error}"[:300])
    patient.code = None


def run_patients(base: str, args) -> tuple[list[Patient], list[str], Timings, float]:
    timings, failures = Timings(), []
    started = time.monotonic()
    TimeLimited.deadline = started + args.time_limit

    def one(index: int):
        if time.monotonic() > TimeLimited.deadline:
            return None
        patient = TimeLimited(base, RandomAnswers(random.Random(args.seed * 100_003 + index)),
                              timings, address=loopback_address(index))
        return walked(patient, index, failures)

    with ThreadPoolExecutor(args.concurrency) as pool:
        patients = [p for p in pool.map(one, range(args.patients)) if p is not None]
    return patients, failures, timings, time.monotonic() - started


def stored_rows(database: str) -> tuple[list[dict], int]:
    """Every submission (decrypted, through the app's models) and the number of drafts."""
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database,
                      "ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY})
    with app.app_context():
        try:
            rows = [{"draft_key": s.draft_key, "code": s.code, "answers": s.answers}
                    for s in db.session.scalars(select(Submission))]
            drafts = db.session.scalar(select(func.count()).select_from(Draft))
        finally:
            db.session.remove()
            db.engine.dispose()
    return rows, drafts


def verify(database: str, patients: list[Walk]) -> list[str]:
    """Differences between what the patients sent and what the database holds."""
    problems = []
    rows, drafts = stored_rows(database)
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(row["draft_key"], []).append(row)
    # Every patient whose submit the server accepted, including any who then failed to load the
    # done page (an error, counted separately), must have exactly one submission.
    finished = [p for p in patients if p.submitted]
    begun = sum(1 for p in patients if p.draft_token())
    if drafts != begun:
        problems.append(f"{drafts} drafts stored for {begun} patients who began")
    if len(rows) != len(finished):
        problems.append(f"{len(rows)} submissions stored for {len(finished)} accepted submits")
    for number, patient in enumerate(finished):
        stored = by_key.get(draft_key(patient.draft_token() or ""), [])
        if len(stored) != 1:
            problems.append(f"patient {number}: {len(stored)} submissions")
            continue
        if patient.code and stored[0]["code"] != patient.code:
            problems.append(f"patient {number}: shown code {patient.code}, "
                            f"stored {stored[0]['code']}")
        problems += [f"patient {number}: {problem}"
                     for problem in answer_problems(stored[0]["answers"],
                                                    patient.expected_submission())]
    return problems


def answer_problems(stored: dict, expected: dict) -> list[str]:
    """What differs between the answers sent and those stored. The safety history is written by
    the server, not sent: its final answers must be the ones the patient last gave."""
    answers = {k: v for k, v in stored.items() if k not in safety_history.RESERVED_KEYS}
    problems = []
    if answers != expected:
        keys = set(expected) | set(answers)
        wrong = sorted(k for k in keys if expected.get(k) != answers.get(k))
        problems.append(f"answers differ in {wrong[:6]}")
    latest = safety_history.latest_answers(stored)
    if any(latest.get(q) != expected[q] for q in safety_history.tracked_questions()
           if q in expected):
        problems.append("the safety history's final answers differ from those sent")
    return problems


def run_backend(name: str, database: str, log, args) -> bool:
    migrate(database)
    with Gunicorn("wsgi:app", args.workers, database, log) as server:
        patients, failures, timings, elapsed = run_patients(server.url, args)
        rss = server.worker_rss_mib()
    problems = verify(database, patients)
    finished = sum(1 for p in patients if p.code)
    requests_made = sum(len(v) for v in timings.seconds.values())
    print(f"\n== {name}, {args.workers} gunicorn workers, "
          f"up to {args.concurrency} patients at once")
    print(f"{finished} of {args.patients} patients finished ({len(patients)} started) in "
          f"{elapsed:.1f} s: {requests_made:,} requests = {requests_made / elapsed:.1f} req/s, "
          f"{finished / elapsed * 60:.0f} patients/min")
    for kind in KINDS:
        print("  " + latency_line(kind, timings.seconds.get(kind, [])))
    print(f"  503 'busy' answers (retried by the patient): {timings.busy}")
    for failure in failures[:5]:
        print(f"  error: {failure}")
    for problem in problems[:10]:
        print(f"  mismatch: {problem}")
    checks = [
        (f"all {args.patients} patients finished", finished == args.patients),
        (f"errors {len(failures)}", not failures),
        (f"stored submissions checked: {finished}, mismatches {len(problems)}", not problems),
        ("worker RSS " + ", ".join(f"{x:.0f}" for x in rss) + " MiB (≤ 100 MB each)",
         bool(rss) and max(rss) <= 100),
    ]
    for text, ok in checks:
        print(f"  {verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


# --- realistic mode: many patients on their phones, reading before each tap ----------------------

PAGE = "page (tap to shown)"
PAGE_P95_MS = 150


class ThinkingPatient(AsyncPatient):
    """Reads and fills in each page for `think` seconds, then taps; times tap to page shown. Stops
    when the run's time is up."""

    think = (2.0, 8.0)
    deadline = float("inf")

    def __init__(self, *args, rng: random.Random, **kwargs):
        super().__init__(*args, **kwargs)
        self.rng = rng
        self._tapped: float | None = None

    async def _request(self, call: Call) -> Reply:
        tap = call.method == "POST"  # every form is sent by a tap on its button
        if tap:
            await asyncio.sleep(self.rng.uniform(*self.think))
        if time.monotonic() > self.deadline:
            raise FlowError("time limit reached")
        tapped = time.perf_counter()
        reply = await super()._request(call)
        if tap:
            self._tapped = tapped
        elif self._tapped is not None and reply.status in (200, 302):
            self.timings.add(PAGE, time.perf_counter() - self._tapped)
            self._tapped = None
        return reply


LAG = "client loop lag"
LAG_TICK_S = 0.02


async def watch_the_loop(timings: Timings) -> None:
    """How late this client's event loop wakes a sleeper: the part of every time it measures that
    is the client's own delay, not the server's."""
    while True:
        due = time.perf_counter() + LAG_TICK_S
        await asyncio.sleep(LAG_TICK_S)
        timings.add(LAG, time.perf_counter() - due)


def open_files_for(patients: int) -> None:
    """Room for a connection per patient at once: the soft limit on open files raised, up to the
    hard limit, when it is too low (often 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = patients + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def run_realistic(base: str, args) -> tuple[list[AsyncPatient], list[str], Timings, float]:
    """Every patient a coroutine of one event loop in this process: no thread per patient."""
    timings, failures = Timings(), []
    started = time.monotonic()
    ThinkingPatient.deadline = started + args.time_limit
    ThinkingPatient.think = args.think
    open_files_for(args.patients)

    async def one(index: int) -> AsyncPatient:
        rng = random.Random(args.seed * 100_003 + index)
        await asyncio.sleep(rng.uniform(0, args.ramp))  # arrivals spread over the ramp
        patient = ThinkingPatient(base, RandomAnswers(random.Random(rng.random())), timings,
                                  loopback_address(index), rng=rng)
        return await walked_async(patient, index, failures)

    async def everyone() -> list[AsyncPatient]:
        watch = asyncio.create_task(watch_the_loop(timings))
        try:
            return list(await asyncio.gather(*(one(index) for index in range(args.patients))))
        finally:
            watch.cancel()

    patients = asyncio.run(everyone())
    return patients, failures, timings, time.monotonic() - started


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU of a process (and of its reaped children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def server_timings(directory: Path) -> dict[str, list[list[float]]]:
    """Per kind of request, the workers' rows: wall, cpu, sql, begin, commit, render, crypto."""
    rows: dict[str, list[list[float]]] = defaultdict(list)
    for path in directory.glob("*.tsv"):
        for line in path.read_text().splitlines():
            kind, *values = line.split("\t")
            rows[kind].append([float(v) for v in values])
    return rows


def print_where_the_time_goes(rows: dict[str, list[list[float]]], timings: Timings) -> None:
    from bench.timed_app import FIELDS

    print("  Inside the workers, per request (ms; the parts are means, 'begin' is the wait for "
          "SQLite's single write lock, 'commit' its fsync):")
    print(f"    {'kind':<14}{'n':>7}{'wall p50':>10}{'p95':>8}{'p99':>8}   "
          + "".join(f"{f:>8}" for f in FIELDS[1:]) + f"{'begin p99':>11}")
    totals = [0.0] * len(FIELDS)
    for kind in sorted(rows, key=lambda k: -len(rows[k])):
        data = rows[kind]
        walls = [r[0] for r in data]
        means = [sum(r[i] for r in data) / len(data) for i in range(len(FIELDS))]
        for i in range(len(FIELDS)):
            totals[i] += sum(r[i] for r in data)
        print(f"    {kind:<14}{len(data):>7}{percentile(walls, 50):>10.1f}"
              f"{percentile(walls, 95):>8.1f}{percentile(walls, 99):>8.1f}   "
              + "".join(f"{m:>8.2f}" for m in means[1:])
              + f"{percentile([r[3] for r in data], 99):>11.1f}")
    wall = totals[0] or 1
    cpu, sql, begin, commit, render, crypto = (totals[i] / wall for i in range(1, len(FIELDS)))
    print(f"  Where the workers' time goes: CPU {cpu:.0%}, SQL statements {sql:.0%}, SQLite "
          f"write-lock wait {begin:.0%}, commit {commit:.0%}, other "
          f"{max(0.0, 1 - cpu - sql - begin - commit):.0%} (mostly a worker ready to run but "
          f"waiting for a CPU). Rendering took {render:.0%} and encryption {crypto:.0%} of it "
          "(CPU work, stretched by the same waiting)")
    print(f"  Encryption alone on this machine: {crypto_microseconds():.0f} µs to encrypt and "
          "decrypt a 3 KB draft")
    served = sum(len(v) for v in rows.values())
    client = [s * 1000 for kind in KINDS for s in timings.seconds.get(kind, [])]
    if served and client:
        server_mean = wall / served
        client_mean = sum(client) / len(client)
        print(f"  Mean request as the client saw it {client_mean:.1f} ms, inside a worker "
              f"{server_mean:.1f} ms: {max(0.0, client_mean - server_mean):.1f} ms waiting for a "
              "free worker, in the proxy if any, on the loopback and in this client")


def crypto_microseconds() -> float:
    from cryptography.fernet import Fernet

    from screening.encryption import Keys

    keys = Keys(Fernet.generate_key().decode())
    draft = ('{"phq9_1":"2",' + ",".join(f'"q{i}":"an answer"' for i in range(150)) + "}").encode()
    started = time.perf_counter()
    for _ in range(200):
        keys.decrypt(keys.encrypt(draft))
    return (time.perf_counter() - started) / 200 * 1e6


def run_realistic_backend(name: str, database: str, tmp: Path, args) -> bool:
    migrate(database)
    timing_dir = tmp / f"timing-{name.split()[0].lower()}"
    timing_dir.mkdir()
    os.environ["BENCH_TIMING_DIR"] = str(timing_dir)
    log = tmp / "gunicorn.log"
    settings = BEHIND_PROXY if args.front == "nginx" else {}
    with Gunicorn("bench.timed_app:build()", args.workers, database, log, settings) as server, \
            front(args.front, server, tmp / f"nginx-{name.split()[0].lower()}") as (url, proxy):
        workers = server.worker_pids()
        before = ({pid: cpu_seconds(pid) for pid in workers}, cpu_seconds(os.getpid()),
                  machine_cpu(), {pid: cpu_seconds(pid) for pid in proxy.pids()} if proxy else {})
        patients, failures, timings, elapsed = run_realistic(url, args)
        worker_cpu = sum(cpu_seconds(pid) - before[0].get(pid, 0.0)
                         for pid in server.worker_pids())
        client_cpu = cpu_seconds(os.getpid()) - before[1]
        proxy_cpu = sum(cpu_seconds(pid) - before[3].get(pid, 0.0)
                        for pid in (proxy.pids() if proxy else []))
        busy, total = (now - then for now, then in zip(machine_cpu(), before[2], strict=True))
        rss = server.worker_rss_mib()
    problems = verify(database, patients)
    finished = sum(1 for p in patients if p.code)
    accepted = sum(1 for p in patients if p.submitted)
    requests_made = sum(len(timings.seconds.get(kind, [])) for kind in KINDS)
    cpus = os.cpu_count() or 1
    print(f"\n== {name}, realistic: {args.patients} patients at once (arriving over "
          f"{args.ramp:.0f} s), {args.think[0]:g}-{args.think[1]:g} s per page, "
          f"{args.workers} gunicorn workers{' behind nginx' if proxy else ''}; each patient "
          f"from its own address, {loopback_address(0)} to "
          f"{loopback_address(args.patients - 1)}")
    print(f"{finished} of {args.patients} patients finished in {elapsed:.1f} s: "
          f"{requests_made:,} requests = {requests_made / elapsed:.1f} req/s")
    print("  " + latency_line(PAGE, timings.seconds.get(PAGE, [])))
    for kind in KINDS:
        print("  " + latency_line(kind, timings.seconds.get(kind, [])))
    print(f"  503 'busy' answers (retried by the patient): {timings.busy}")
    print(f"  CPU over the run ({cpus} CPUs = {cpus * elapsed:.0f} CPU-s): gunicorn workers "
          f"{worker_cpu:.0f} CPU-s ({worker_cpu / elapsed:.2f} CPUs), this client "
          f"{client_cpu:.1f} CPU-s ({client_cpu / elapsed:.2f} CPUs), "
          + (f"nginx {proxy_cpu:.1f} CPU-s ({proxy_cpu / elapsed:.2f} CPUs), " if proxy else "")
          + f"machine busy {busy / total:.0%}, of which other processes (database server, other "
          f"users) {max(0.0, busy - worker_cpu - client_cpu - proxy_cpu) / elapsed:.2f} CPUs; "
          f"load average before the run {args.load_before:.1f}")
    per_request = client_cpu / max(requests_made, 1) * 1000
    print(f"  This client (one event loop, aiohttp): {per_request:.2f} ms of CPU per request; "
          "how late its loop woke (included in every time above):")
    print("    " + latency_line(LAG, timings.seconds.get(LAG, [])))
    print_where_the_time_goes(server_timings(timing_dir), timings)
    for failure in failures[:5]:
        print(f"  error: {failure}")
    for problem in problems[:10]:
        print(f"  mismatch: {problem}")
    page_p95 = percentile(timings.seconds.get(PAGE, []), 95) * 1000
    checks = [
        (f"all {args.patients} patients finished", finished == args.patients),
        (f"errors {len(failures)}", not failures),
        (f"stored submissions checked: {accepted}, mismatches {len(problems)}", not problems),
        (f"page p95 {page_p95:.0f} ms (≤ {PAGE_P95_MS} ms)", page_p95 <= PAGE_P95_MS),
        ("worker RSS " + ", ".join(f"{x:.0f}" for x in rss) + " MiB (≤ 100 MB each)",
         bool(rss) and max(rss) <= 100),
    ]
    for text, ok in checks:
        print(f"  {verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


@contextmanager
def front(kind: str, server: Gunicorn, directory: Path):
    """Where the patients connect: nginx in front of gunicorn, as in production, or gunicorn
    itself. Yields the URL and the proxy (None when direct)."""
    if kind != "nginx":
        yield server.url, None
        return
    with Nginx(server.port, directory) as proxy:
        yield proxy.url, proxy


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realistic", action="store_true",
                        help="every patient at once, reading each page before tapping")
    parser.add_argument("--patients", type=int, help="default 200; realistic 1,000")
    parser.add_argument("--concurrency", type=int, default=200,
                        help="patients in flight at once (default: all of them)")
    parser.add_argument("--workers", type=int,
                        help="default 4; realistic: as gunicorn.conf.py sets for this machine")
    parser.add_argument("--think", type=think_range, default=(2.0, 8.0),
                        help="realistic: seconds a patient spends on a page, e.g. 2-8")
    parser.add_argument("--ramp", type=float, default=30,
                        help="realistic: patients arrive spread over this many seconds")
    parser.add_argument("--time-limit", type=float, help="seconds per backend (default 180; "
                        "realistic 900)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--front", choices=["nginx", "none"],
                        help="realistic: what the patients connect to (default nginx, as in "
                        "production, when installed; none: gunicorn itself)")
    args = parser.parse_args()
    if args.front is None:
        args.front = "nginx" if nginx_installed() else "none"
        if args.realistic and args.front == "none":
            print("nginx is not installed (apt-get install nginx-light): the patients connect "
                  "to gunicorn itself, which production never does")
    if args.patients is None:
        args.patients = 1000 if args.realistic else 200
    if args.workers is None:
        args.workers = configured_workers() if args.realistic else 4
    if args.time_limit is None:
        args.time_limit = 900 if args.realistic else 180
    args.load_before = os.getloadavg()[0]
    print(f"Load  ({machine()}; measured parallelism {effective_cores():.1f} CPUs)")

    def one_backend(name, database, tmp):
        if args.realistic:
            return run_realistic_backend(name, database, tmp, args)
        return run_backend(name, database, tmp / "gunicorn.log", args)

    passed = True
    with scratch_dir("bench-load-") as tmp:
        if args.backend in ("sqlite", "both"):
            database = f"sqlite:///{tmp / 'load.db'}"
            passed &= one_backend("SQLite (WAL, synchronous=FULL)", database, tmp)
        if args.backend in ("postgresql", "both"):
            args.load_before = os.getloadavg()[0]
            try:
                with postgres_url() as url:
                    passed &= one_backend("PostgreSQL", url, tmp)
            except PostgresNotInstalled as error:  # run it only where the binaries exist
                print(f"\n== PostgreSQL: not run. {error}")
                passed &= args.backend == "both"
        log = (tmp / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in log:
            print("gunicorn logged a traceback:\n" + log[-3000:])
            passed = False
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

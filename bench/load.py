"""Many patients at once, nothing lost (security-performance.md A9), on SQLite and PostgreSQL.

Starts gunicorn (gunicorn.conf.py, 4 workers) on loopback against a migrated SQLite file, then
against a throwaway PostgreSQL server when its binaries are installed (tests/storage/postgres.py).
N simulated patients (default 200, at most `--concurrency` at a time), each with its own cookie
jar, walk the WHOLE questionnaire with random answers: every PHQ-9 item, the safety pathway when
item 9 > 0, 0-3 medicine trials added through /step/<n>/item/<id>, every treatment and medical
step, review and send, each form with its CSRF token. The next step is always the one the server
redirects to. The run is bounded in patients and in time (`--time-limit`).

Then every stored submission is checked against what its patient sent, straight from the database
with SQLAlchemy: exactly one submission per finished patient, the same answers, the code the
patient was shown, one draft per patient, no stray rows. Prints throughput, p50/p95/p99 per kind
of request, errors, mismatches and worker RSS.

Run: .venv/bin/python bench/load.py [--patients 200] [--concurrency 50] [--backend sqlite]
"""

import argparse
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchlib import (
    ENCRYPTION_KEY,
    SECRET,
    Gunicorn,
    PostgresNotInstalled,
    draft_key,
    effective_cores,
    latency_line,
    machine,
    migrate,
    postgres_url,
    scratch_dir,
    verdict,
)
from patient_driver import FlowError, Patient, RandomAnswers, Timings
from sqlalchemy import func, select

from screening import create_app
from screening.database import db
from screening.models import Draft, Submission

KINDS = ["GET page", "POST step", "POST item", "POST submit"]


class TimeLimited(Patient):
    """A patient who stops when the run's time is up."""

    deadline = float("inf")

    def _request(self, *args, **kwargs):
        if time.monotonic() > self.deadline:
            raise FlowError("time limit reached")
        return super()._request(*args, **kwargs)


def run_patients(base: str, args) -> tuple[list[Patient], list[str], Timings, float]:
    timings, failures = Timings(), []
    started = time.monotonic()
    TimeLimited.deadline = started + args.time_limit

    def one(index: int):
        if time.monotonic() > TimeLimited.deadline:
            return None
        patient = TimeLimited(base, RandomAnswers(random.Random(args.seed * 100_003 + index)),
                              timings)
        try:
            patient.complete()
        except (FlowError, OSError, ValueError) as error:
            failures.append(f"patient {index}: {type(error).__name__}: {error}"[:300])
            patient.code = None
        return patient

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


def verify(database: str, patients: list[Patient]) -> list[str]:
    """Differences between what the patients sent and what the database holds."""
    problems = []
    rows, drafts = stored_rows(database)
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(row["draft_key"], []).append(row)
    finished = [p for p in patients if p.code]
    if drafts != len(patients):
        problems.append(f"{drafts} drafts stored for {len(patients)} patients")
    if len(rows) != len(finished):
        problems.append(f"{len(rows)} submissions stored for {len(finished)} finished patients")
    for number, patient in enumerate(finished):
        stored = by_key.get(draft_key(patient.draft_token() or ""), [])
        if len(stored) != 1:
            problems.append(f"patient {number}: {len(stored)} submissions")
            continue
        if stored[0]["code"] != patient.code:
            problems.append(f"patient {number}: shown code {patient.code}, "
                            f"stored {stored[0]['code']}")
        expected = patient.expected_submission()
        if stored[0]["answers"] != expected:
            keys = set(expected) | set(stored[0]["answers"])
            wrong = sorted(k for k in keys if expected.get(k) != stored[0]["answers"].get(k))
            problems.append(f"patient {number}: answers differ in {wrong[:6]}")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=200,
                        help="patients in flight at once (default: all of them)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=180, help="seconds per backend")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"Load  ({machine()}; measured parallelism {effective_cores():.1f} CPUs)")
    passed = True
    with scratch_dir("bench-load-") as tmp:
        if args.backend in ("sqlite", "both"):
            database = f"sqlite:///{tmp / 'load.db'}"
            passed &= run_backend("SQLite (WAL, synchronous=FULL)", database,
                                  tmp / "gunicorn.log", args)
        if args.backend in ("postgresql", "both"):
            try:
                with postgres_url() as url:
                    passed &= run_backend("PostgreSQL", url, tmp / "gunicorn.log", args)
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

"""Server throughput and latency against DESIGN.md §5 (security-performance.md B4).

Starts gunicorn with gunicorn.conf.py on loopback, with 1 worker and with N workers (the config's
default for this machine), serving in turn the real app (temporary SQLite migrated with
`flask db upgrade`, a real secret key) and a bare Flask "hello world" (bench/hello_app.py). Drives:
  * step GET:  GET /step/1 with a draft cookie;
  * step POST: POST /step/1 answering question 1 again (idempotent; 302 to the next step), with
    the CSRF token and cookie a browser would send;
  * hello:     GET / on the hello app.
Each run is a fixed number of requests at concurrency 10 (10 client processes, each with its own
http.client connection, reconnecting as sync workers close after each reply), every request with a
timeout. The app and hello world are served side by side and measured in alternating rounds, so a
burst of load elsewhere on the machine hits both; the verdicts use the median round's req/s and
the p95 of every request of all rounds. Prints each round, the ratio to hello, and worker RSS.

The Python clients share the machine's CPUs with the servers, and a lighter client changes how
much of the machine each server gets. So when wrk is installed (Debian: `apt-get install wrk`), the
step GET and hello world are also compared with wrk at the same concurrency, in alternating 5 s
runs at the default worker count, as a cross-check with its own verdict.

Targets: GET p95 ≤ 20 ms; POST p95 ≤ 50 ms; RSS ≤ 100 MB/worker. The step GET rate as a fraction
of hello world is printed for information (DESIGN.md §5: not a target).
Run: .venv/bin/python bench/throughput.py [--requests 2000] [--concurrency 10] [--rounds 3]
     [--no-wrk]
"""

import argparse
import http.client
import multiprocessing
import re
import runpy
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from benchlib import (
    ROOT,
    Gunicorn,
    csrf_token,
    effective_cores,
    latency_line,
    machine,
    migrate,
    percentile,
    scratch_dir,
    verdict,
)

TIMEOUT = 10  # seconds per request
DEADLINE = 120  # seconds per run


def _client(job) -> tuple[list[float], int, float]:
    """One client process: `count` sequential requests; returns latencies, errors, end time."""
    port, method, path, headers, body, expect, count, start_at = job
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    time.sleep(max(0.0, start_at - time.time()))
    latencies, errors = [], 0
    stop_at = start_at + DEADLINE
    for _ in range(count):
        if time.time() > stop_at:
            errors += 1
            continue
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != expect:
                errors += 1
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies, errors, time.time()


def drive(port, method, path, headers, body, expect, total, concurrency):
    """`total` requests from `concurrency` processes; returns (latencies, errors, seconds)."""
    share = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]
    start_at = time.time() + 0.5
    jobs = [(port, method, path, headers, body, expect, n, start_at) for n in share]
    with multiprocessing.Pool(concurrency) as pool:
        results = pool.map(_client, jobs)
    latencies = [s for r in results for s in r[0]]
    return latencies, sum(r[1] for r in results), max(r[2] for r in results) - start_at


def prepare_patient(base: str) -> dict:
    """A started questionnaire: its cookies and a CSRF token, as a browser holds them."""
    with requests.Session() as session:
        start = session.get(base + "/")
        session.post(base + "/begin", data={"csrf_token": csrf_token(start.text)}, timeout=10)
        step = session.get(base + "/step/1", timeout=10)
        cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        return {"cookie": cookies, "csrf": csrf_token(step.text)}


def run(label, port, method, path, headers, body, expect, args):
    latencies, errors, elapsed = drive(port, method, path, headers, body, expect, args.requests,
                                       args.concurrency)
    print(latency_line(label, latencies, elapsed) + f"  errors {errors}")
    return {"rate": len(latencies) / elapsed, "latencies": latencies, "errors": errors}


def combined(rounds: list[dict]) -> dict:
    """The median round's rate; p95 over every request of every round; all errors."""
    latencies = [s * 1000 for r in rounds for s in r["latencies"]]
    return {"rate": statistics.median(r["rate"] for r in rounds),
            "p95": percentile(latencies, 95), "errors": sum(r["errors"] for r in rounds)}


def bench_app(workers: int, database: str, log: Path, args) -> dict:
    with Gunicorn("wsgi:app", workers, database, log) as server, \
            Gunicorn("bench.hello_app:app", workers, database, log) as hello:
        patient = prepare_patient(server.url)
        get_headers = {"Cookie": patient["cookie"]}
        post_headers = {**get_headers, "Content-Type": "application/x-www-form-urlencoded"}
        body = f"phq9_1=1&csrf_token={patient['csrf']}"
        requests_of = {
            "hello": (f"hello GET     ({workers}w)", hello.port, "GET", "/", {}, None, 200),
            "get": (f"app step GET  ({workers}w)", server.port, "GET", "/step/1", get_headers,
                    None, 200),
            "post": (f"app step POST ({workers}w)", server.port, "POST", "/step/1",
                     post_headers, body, 302),
        }
        for _label, port, method, path, headers, data, expect in requests_of.values():
            drive(port, method, path, headers, data, expect, args.concurrency * 20,
                  args.concurrency)  # warm-up
        rounds = {key: [] for key in requests_of}
        for _ in range(args.rounds):
            for key, request in requests_of.items():
                rounds[key].append(run(*request, args))
        results = {key: combined(runs) for key, runs in rounds.items()}
        results["rss"] = server.worker_rss_mib()
        results["hello_rss"] = hello.worker_rss_mib()
        if args.wrk and workers == args.default_workers:
            results["wrk"] = wrk_rounds(server, hello, patient["cookie"], args)
    return results


WRK_SECONDS = 5


def wrk(url: str, headers: dict, concurrency: int) -> tuple[float, int]:
    """req/s and failed requests (errors plus non-2xx/3xx) of one wrk run against `url`."""
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    done = subprocess.run(
        ["wrk", "-t2", f"-c{concurrency}", f"-d{WRK_SECONDS}s", "--timeout", f"{TIMEOUT}s",
         *header_args, url],
        capture_output=True, text=True, timeout=WRK_SECONDS + 30, check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       done.stdout)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    failed = sum(map(int, socket.groups())) if socket else 0
    return rate, failed + (int(non_2xx.group(1)) if non_2xx else 0)


def wrk_rounds(server: Gunicorn, hello: Gunicorn, cookie: str, args) -> dict:
    get_url, hello_url = f"{server.url}/step/1", f"{hello.url}/"
    wrk(hello_url, {}, args.concurrency)  # warm-up
    wrk(get_url, {"Cookie": cookie}, args.concurrency)
    rates, failed = {"hello": [], "get": []}, 0
    for _ in range(args.rounds):
        for key, url, headers in (("hello", hello_url, {}), ("get", get_url, {"Cookie": cookie})):
            rate, errors = wrk(url, headers, args.concurrency)
            rates[key].append(rate)
            failed += errors
            print(f"wrk {key:5s} ({WRK_SECONDS} s, concurrency {args.concurrency})  "
                  f"{rate:8.1f} req/s  failed {errors}")
    return {"hello": statistics.median(rates["hello"]), "get": statistics.median(rates["get"]),
            "failed": failed}


def report(workers: int, r: dict) -> bool:
    ratio = r["get"]["rate"] / r["hello"]["rate"]
    post_ratio = r["post"]["rate"] / r["hello"]["rate"]
    rss = max(r["rss"] or [0])
    checks = [
        (f"step GET / hello = {ratio:.2f} (no target; for information)", True),
        (f"step POST / hello = {post_ratio:.2f} (no target; for reference)", True),
        (f"step GET p95 {r['get']['p95']:.1f} ms (≤ 20 ms)", r["get"]["p95"] <= 20),
        (f"step POST p95 {r['post']['p95']:.1f} ms (≤ 50 ms)", r["post"]["p95"] <= 50),
        ("worker RSS " + ", ".join(f"{x:.0f}" for x in r["rss"]) + " MiB (≤ 100 MB each; hello "
         + ", ".join(f"{x:.0f}" for x in r["hello_rss"]) + " MiB)", 0 < rss <= 100),
        (f"errors {r['get']['errors'] + r['post']['errors'] + r['hello']['errors']}",
         r["get"]["errors"] + r["post"]["errors"] + r["hello"]["errors"] == 0),
    ]
    if "wrk" in r:
        wrk_ratio = r["wrk"]["get"] / r["wrk"]["hello"]
        checks.append((f"wrk cross-check: step GET / hello = {wrk_ratio:.2f} (for information), "
                       f"failed {r['wrk']['failed']}", not r["wrk"]["failed"]))
    print(f"-- {workers} worker{'s' if workers > 1 else ''}, concurrency 10")
    for text, ok in checks:
        print(f"   {verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-wrk", dest="wrk", action="store_false",
                        help="skip the wrk cross-check even when wrk is installed")
    args = parser.parse_args()
    default_workers = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
    args.default_workers = default_workers
    print(f"Throughput  ({machine()}; measured parallelism {effective_cores():.1f} CPUs)")
    print(f"{args.rounds} rounds of {args.requests} requests per run, after "
          f"{args.concurrency * 20} warm-up requests; client and server share this machine's CPUs.")
    passed = True
    with scratch_dir("bench-throughput-") as tmp:
        database = f"sqlite:///{tmp / 'throughput.db'}"
        migrate(database)
        if args.wrk and not shutil.which("wrk"):
            args.wrk = False
            print("wrk is not installed (Debian: apt-get install wrk): no wrk cross-check.")
        for workers in sorted({1, default_workers}):
            results = bench_app(workers, database, tmp / "gunicorn.log", args)
            ok = report(workers, results)
            passed = passed and (ok or workers == 1)  # the targets are for the served config
        errors = (tmp / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in errors:
            print("gunicorn logged a traceback:\n" + errors[-2000:])
            passed = False
    print("Targets apply to the default worker count; the 1-worker figures are for reference.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

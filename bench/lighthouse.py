"""Lighthouse 12.2.3 (mobile, simulated Slow 4G) on three patient pages with Debian's Chromium.

Installs lighthouse into bench/node_modules (gitignored) from bench/package-lock.json when it is
missing, starts gunicorn with gunicorn.conf.py on loopback (temporary SQLite, migrated), and runs
Lighthouse three times each on the start page, a question page (with the draft cookie of a started
questionnaire, passed through --extra-headers) and a finished patient's summary. Prints the median
of each category score per page, the lab metrics, and every audit that cost a point.

Target (DESIGN.md §5): performance, accessibility and best practices 100. SEO is reported for
completeness: patient pages carry `noindex` on purpose, which Lighthouse's SEO category penalises.
Not part of `make bench` (it takes a few minutes): .venv/bin/python bench/lighthouse.py
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchlib import Gunicorn, machine, migrate, scratch_dir, verdict
from patient_driver import FixedAnswers, Patient

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
VERSION = "12.2.3"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP",
           "total-blocking-time": "TBT", "cumulative-layout-shift": "CLS", "speed-index": "SI"}
RUNS = 3


def install() -> None:
    if LIGHTHOUSE.is_file():
        return
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is not installed (Debian: apt-get install npm)")
    command = ([npm, "ci", "--no-audit", "--no-fund"] if (BENCH / "package-lock.json").is_file()
               else [npm, "i", "-E", "--no-audit", "--no-fund", f"lighthouse@{VERSION}"])
    subprocess.run(command, cwd=BENCH, check=True)


ATTEMPTS = 3


def lighthouse(url: str, headers: dict, report: Path) -> dict:
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json",
               f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={CHROME_FLAGS}"]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    for attempt in range(1, ATTEMPTS + 1):
        # Lighthouse now and then loses the page-load trace (NO_NAVSTART) and asks to be run again.
        finished = subprocess.run(command, timeout=300, env={**os.environ, "CHROME_PATH": CHROME},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if finished.returncode == 0:
            return json.loads(report.read_text())
        reason = (finished.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"  Lighthouse failed on {url} (attempt {attempt} of {ATTEMPTS}): {reason}")
    raise SystemExit(f"Lighthouse failed {ATTEMPTS} times on {url}")


def cookie_header(patient: Patient) -> dict:
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in patient.session.cookies)}


def pages(base: str) -> list[tuple[str, str, dict]]:
    started = Patient(base, FixedAnswers([1, 2, 1, 2, 1, 0, 1, 0, 1]))
    started.start()
    finished = Patient(base, FixedAnswers([1, 2, 1, 2, 1, 0, 1, 0, 1]))
    finished.complete()
    return [("start", base + "/", {}),
            ("question", base + "/step/1", cookie_header(started)),
            ("summary", base + "/summary", cookie_header(finished))]


def lost_points(report: dict) -> list[str]:
    found = []
    for category in CATEGORIES[1:3]:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{category}: {audit['title']}")
    return found


def main() -> int:
    install()
    if not os.access(CHROME, os.X_OK):
        sys.exit(f"Chromium not found at {CHROME}: apt-get install chromium, or set CHROME_PATH")
    print(f"Lighthouse {VERSION}, mobile, {RUNS} runs per page, median  ({machine()})")
    out = BENCH / "output"
    out.mkdir(exist_ok=True)
    passed = True
    with scratch_dir("bench-lighthouse-") as tmp:
        database = f"sqlite:///{tmp / 'lighthouse.db'}"
        migrate(database)
        with Gunicorn("wsgi:app", 2, database, tmp / "gunicorn.log") as server:
            for name, url, headers in pages(server.url):
                reports = [lighthouse(url, headers, out / f"lighthouse-{name}-{run}.json")
                           for run in range(RUNS)]
                scores = {c: statistics.median(round(r["categories"][c]["score"] * 100)
                                               for r in reports) for c in CATEGORIES}
                metrics = {label: statistics.median(r["audits"][audit]["numericValue"]
                                                    for r in reports)
                           for audit, label in METRICS.items()}
                ok = all(scores[c] == 100 for c in CATEGORIES[:3])
                passed &= ok
                print(f"{name:<9} " + "  ".join(f"{c} {scores[c]:>3.0f}" for c in CATEGORIES)
                      + f"  {verdict(ok)}")
                print(f"          FCP {metrics['FCP']:.0f} ms  LCP {metrics['LCP']:.0f} ms  "
                      f"TBT {metrics['TBT']:.0f} ms  CLS {metrics['CLS']:.3f}  "
                      f"SI {metrics['SI']:.0f} ms")
                for lost in sorted({x for r in reports for x in lost_points(r)}):
                    print(f"          lost: {lost}")
    print(f"Reports: {out}/lighthouse-<page>-<run>.json")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

"""bench/patient_effort.py walks the real pages and prints its figures; the long history stays
within DESIGN.md §5 (≤ 28 screens, ≤ 80 taps)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_effort_bench_prints_screens_taps_and_keystrokes_within_the_budget():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "patient_effort.py"), "--json"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert set(figures) == {"mild", "severe", "long history"}
    long = figures["long history"]
    assert long["screens"] <= 28 and long["taps"] <= 80, long
    assert long["keystrokes"] > 0  # the year, doses and weeks are typed
    assert figures["mild"]["screens"] < figures["severe"]["screens"] < 40
    assert "met" in run.stderr

"""The patient questionnaire in a real Chromium: JS off, 390 x 844 phone, axe-clean pages.

DESIGN.md §2 (never diagnoses; item 9 never hidden; nothing lost; works without JS at 320 px) and
§6 (Playwright + axe-core + the summary printed to one PDF page).
"""

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from screening.database import db
from screening.models import Submission

pytestmark = pytest.mark.browser

NOT_AT_ALL, SEVERAL_DAYS, MORE_THAN_HALF, NEARLY_EVERY_DAY = (
    "Not at all", "Several days", "More than half the days", "Nearly every day")
SCORES = {NOT_AT_ALL: "0", SEVERAL_DAYS: "1", MORE_THAN_HALF: "2", NEARLY_EVERY_DAY: "3"}
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
# The published NIMH ASQ wording, verbatim (tests/reference, screening/domain/data/asq.toml).
ASQ_TEXT = {
    "asq_1": "In the past few weeks, have you wished you were dead?",
    "asq_2": "In the past few weeks, have you felt that you or your family would be better off "
             "if you were dead?",
    "asq_3": "In the past week, have you been having thoughts about killing yourself?",
    "asq_4": "Have you ever tried to kill yourself?",
    "asq_5": "Are you having thoughts of killing yourself right now?",
}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def squashed(text: str) -> str:
    return " ".join(text.split())


def submission_count(live_server) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Submission))
        db.session.remove()
        return count


def review_row(patient, step: int):
    row = patient.page.locator(".review-row").filter(
        has=patient.page.locator(f'a[href="/step/{step}?change=1"]'))
    assert row.count() == 1, f"review page has no single row changing step {step}"
    return row


def review_answer(patient, step: int) -> str:
    return review_row(patient, step).locator("dd").first.inner_text().strip()


def send_and_read_code(patient) -> str:
    assert patient.path == "/review", patient.path
    patient.press("Send my answers")
    assert patient.path == "/done", patient.path
    code = patient.page.locator(".code").inner_text()
    return squashed(code.replace("Reference code:", ""))


def walk_severe_to_review(patient) -> None:
    """All PHQ-9 items 'Nearly every day', ASQ 1 yes, 2-4 no, acuity yes: the acute path."""
    patient.start()
    for number in range(1, 10):
        assert patient.step_number() == number
        patient.answer(NEARLY_EVERY_DAY)
    assert patient.step_number() == 10
    patient.acknowledge()
    for number, label in zip(range(11, 15), ["Yes", "No", "No", "No"], strict=True):
        assert patient.step_number() == number
        patient.answer(label)
    assert patient.step_number() == 15
    patient.answer("Yes")
    assert patient.step_number() == 16
    patient.press("Continue the questionnaire")
    assert patient.step_number() == 17
    patient.answer("Very difficult")
    patient.finish_to_review()


def open_summary(patient) -> None:
    """From /done to the patient's plain summary, then to the clinician sheet they can print."""
    for link, path in (("See your answers", "/summary"),
                       ("Print the summary for your clinician", "/summary/print")):
        with patient.page.expect_navigation():
            patient.page.get_by_role("link", name=link, exact=True).click()
        patient.arrived()
        assert patient.path == path, patient.path


# 0 ------------------------------------------------------------------------------------------

def test_debian_chromium_is_available():
    """The browser every other test here drives; missing, it is a failure, never a skip."""
    path = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    assert path.is_file() and os.access(path, os.X_OK), (
        f"Chromium not found at {path}: install Debian's chromium package (`make system-deps` as "
        "root) or set CHROMIUM_PATH. The browser tests never skip.")


# 1 ------------------------------------------------------------------------------------------

def test_all_zero_patient_no_safety_pathway(phone_patient, live_server):
    patient = phone_patient
    patient.start()
    for number in range(1, 10):
        assert patient.step_number() == number
        progress = patient.page.locator(".progress")
        assert progress.locator(".part").inner_text() == "Part 1 of 4: How you have been feeling"
        assert progress.locator(".progress-detail").inner_text() == f"Question {number} of 9"
        patient.answer(NOT_AT_ALL)

    patient.finish_to_review()
    pathway = [n for n in (int(p.split("/")[2].split("?")[0]) for p in patient.visited
                           if p.startswith("/step/")) if n <= 17]
    assert pathway == list(range(1, 10)), f"no safety page, no ASQ, no item 10: {pathway}"
    assert patient.page.locator('a[href="/step/17?change=1"]').count() == 0
    for number in range(1, 10):
        assert review_answer(patient, number) == NOT_AT_ALL

    code = send_and_read_code(patient)
    assert CODE.match(code), f"reference code {code!r} is not two groups of 4 Crockford chars"
    assert patient.page.locator(".qr svg").count() == 1, "done page has no QR code svg"
    assert patient.page.get_by_role("img", name=re.compile(re.escape(code))).count() == 1

    open_summary(patient)
    text = squashed(patient.main_text())
    assert "0 / 27" in text
    assert "SAFETY FLAG" not in text
    assert code in text
    assert "not a diagnosis" in text


# 2 ------------------------------------------------------------------------------------------

def test_severe_patient_item9_and_acute_asq(phone_patient):
    patient = phone_patient
    patient.start()
    for _ in range(9):
        patient.answer(NEARLY_EVERY_DAY)

    assert patient.step_number() == 10, "item 9 above 0 must show the safety page at once"
    safety = squashed(patient.main_text())
    for number in ("988", "741741", "911"):
        assert number in safety, f"safety page lacks {number}"
    assert patient.page.locator('a[href="tel:988"]').count() == 1
    assert patient.page.locator('a[href="tel:911"]').count() == 1
    assert patient.page.locator('a[href^="sms:741741"]').count() == 1
    patient.acknowledge()

    for number, label in zip(range(11, 15), ["Yes", "No", "No", "No"], strict=True):
        assert patient.step_number() == number
        assert ASQ_TEXT[f"asq_{number - 10}"] in squashed(patient.main_text())
        patient.answer(label)
    assert patient.step_number() == 15
    assert ASQ_TEXT["asq_5"] in squashed(patient.main_text())
    patient.answer("Yes")

    assert patient.step_number() == 16
    assert patient.heading() == "Please ask for help now"
    help_now = squashed(patient.main_text())
    assert "988" in help_now and "911" in help_now
    patient.press("Continue the questionnaire")

    assert patient.step_number() == 17, "item 10 (difficulty) follows the safety pathway"
    patient.answer("Extremely difficult")
    patient.axe = False  # the later sections are axe-checked in the all-zero test
    patient.finish_to_review()
    patient.axe = True
    assert review_answer(patient, 11) == "Yes"
    assert review_answer(patient, 15) == "Yes"

    code = send_and_read_code(patient)
    assert CODE.match(code), code
    assert "988" in patient.main_text(), "done page repeats crisis resources for a flagged patient"

    open_summary(patient)
    text = squashed(patient.main_text())
    assert "27 / 27" in text
    assert "SAFETY FLAG" in text
    assert "acute positive" in text.lower()
    for item, wording in ASQ_TEXT.items():
        assert wording in text, f"summary lacks the verbatim {item} wording"
    block = patient.page.locator(".safety-block")
    assert block.count() == 1
    # The safety block comes before the PHQ-9 scores (top of the summary).
    headings = [squashed(h) for h in patient.page.locator("main h2").all_inner_texts()]
    assert headings.index(next(h for h in headings if "SAFETY FLAG" in h)) < headings.index("PHQ-9")


# 3 ------------------------------------------------------------------------------------------

def test_change_answers_from_review(phone_patient):
    patient = phone_patient
    patient.axe = False  # the first pass is the all-zero test's pages; axe from review on
    patient.start()
    patient.answer(SEVERAL_DAYS)
    for _ in range(8):
        patient.answer(NOT_AT_ALL)
    assert patient.step_number() == 17, "an item above 0 asks item 10"
    patient.answer("Somewhat difficult")
    patient.finish_to_review()
    patient.axe = True
    assert review_answer(patient, 1) == SEVERAL_DAYS

    # Change item 1: lands on item 1 with the current answer selected, then back on review.
    with patient.page.expect_navigation():
        review_row(patient, 1).get_by_role("link").click()
    patient.arrived()
    assert patient.path == "/step/1?change=1"
    assert patient.checked_value("phq9_1") == SCORES[SEVERAL_DAYS]
    assert patient.page.get_by_role("link", name="Back").get_attribute("href") == "/review"
    patient.answer(NEARLY_EVERY_DAY)
    assert patient.path == "/review", f"changing item 1 should return to review, at {patient.path}"
    assert review_answer(patient, 1) == NEARLY_EVERY_DAY
    assert review_answer(patient, 9) == NOT_AT_ALL
    assert patient.page.locator('a[href="/step/11?change=1"]').count() == 0

    # Change item 9 from 0 to above 0: safety page and the ASQ come before review again.
    with patient.page.expect_navigation():
        review_row(patient, 9).get_by_role("link").click()
    patient.arrived()
    assert patient.path == "/step/9?change=1"
    patient.answer(SEVERAL_DAYS)
    assert patient.path == "/step/10?change=1", f"item 9 > 0 must show safety page: {patient.path}"
    assert "988" in patient.main_text()
    patient.acknowledge()
    for number in range(11, 15):
        assert patient.path == f"/step/{number}?change=1", patient.path
        patient.answer("No")
    assert patient.path == "/review", f"after the ASQ the patient returns to review: {patient.path}"
    assert review_answer(patient, 9) == SEVERAL_DAYS
    assert review_answer(patient, 1) == NEARLY_EVERY_DAY
    for number in range(11, 15):
        assert review_answer(patient, number) == "No"

    send_and_read_code(patient)
    open_summary(patient)
    text = squashed(patient.main_text())
    assert "4 / 27" in text
    assert "SAFETY FLAG" in text


# 4 ------------------------------------------------------------------------------------------

def test_back_link_reload_and_browser_back_keep_answers(phone, make_patient):
    patient = make_patient(phone, axe=False)  # the same pages are axe-checked in test 1
    patient.start()
    patient.answer(SEVERAL_DAYS)
    patient.answer(MORE_THAN_HALF)
    patient.answer(NEARLY_EVERY_DAY)
    assert patient.step_number() == 4

    with patient.page.expect_navigation():
        patient.page.get_by_role("link", name="Back", exact=True).click()
    patient.arrived("back-link")
    assert patient.path == "/step/3"
    assert patient.checked_value("phq9_3") == SCORES[NEARLY_EVERY_DAY]
    assert "chosen" in patient.answer_button(NEARLY_EVERY_DAY).get_attribute("class")

    patient.page.reload()
    patient.arrived("reloaded")
    assert patient.path == "/step/3"
    assert patient.checked_value("phq9_3") == SCORES[NEARLY_EVERY_DAY]

    patient.page.go_back()  # to step 4, where the Back link was pressed
    patient.arrived("browser-back")
    assert patient.path == "/step/4"
    assert patient.checked_value("phq9_4") is None
    patient.page.go_back()
    patient.arrived("browser-back")
    assert patient.path == "/step/3"
    assert patient.checked_value("phq9_3") == SCORES[NEARLY_EVERY_DAY]
    patient.page.go_back()
    patient.arrived("browser-back")
    assert patient.path == "/step/2"
    assert patient.checked_value("phq9_2") == SCORES[MORE_THAN_HALF]
    patient.page.go_back()
    patient.arrived("browser-back")
    assert patient.path == "/step/1"
    assert patient.checked_value("phq9_1") == SCORES[SEVERAL_DAYS]

    # Carry on from the page Back landed on: nothing was lost, the flow resumes.
    patient.answer(SEVERAL_DAYS)
    assert patient.path == "/step/2"
    assert patient.checked_value("phq9_2") == SCORES[MORE_THAN_HALF]
    patient.answer(MORE_THAN_HALF)
    patient.answer(NEARLY_EVERY_DAY)
    assert patient.path == "/step/4"
    assert patient.page.locator(".progress-detail").inner_text() == "Question 4 of 9"


# 5 ------------------------------------------------------------------------------------------

def _profile_pids(profile: Path) -> list[int]:
    marker = f"--user-data-dir={profile}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _kill_browser_hard(profile: Path) -> None:
    """SIGKILL the Chromium started on `profile` (its process group), like an OS killing it."""
    pids = _profile_pids(profile)
    main = [pid for pid in pids
            if b"--type=" not in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert main, f"no Chromium process found for {profile}"
    group = os.getpgid(main[0])
    if group != os.getpgrp():
        os.killpg(group, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids), "Chromium survived SIGKILL"


def _cookies_on_disk(profile: Path, tmp_path: Path) -> dict[str, int]:
    """Cookie names (for 127.0.0.1) in the profile's Cookies database, read from a copy."""
    names: dict[str, int] = {}
    for database in profile.glob("**/Cookies"):
        copy = tmp_path / "cookies-copy.sqlite"
        shutil.copyfile(database, copy)
        for suffix in ("-journal", "-wal"):
            side = Path(f"{database}{suffix}")
            if side.exists():
                shutil.copyfile(side, Path(f"{copy}{suffix}"))
        try:
            with sqlite3.connect(copy) as connection:
                rows = connection.execute(
                    "SELECT name, is_persistent FROM cookies WHERE host_key = '127.0.0.1'")
                names.update(dict(rows.fetchall()))
        except sqlite3.DatabaseError:
            pass
    return names


def _flush_cookie_store(context, profile: Path, tmp_path: Path) -> dict[str, int]:
    """Make Chromium commit its cookie store now instead of within 30 s.

    Chromium writes cookies to disk in batches (every 30 s or after 512 changes). A phone OS flushes
    before killing a backgrounded browser; here 600 throw-away cookies on an unrelated domain
    trigger the batch commit, which carries the app's pending cookies with it.
    """
    expires = time.time() + 3600
    context.add_cookies([
        {"name": f"flush{i}", "value": "1", "domain": "flush.invalid", "path": "/",
         "expires": expires} for i in range(600)])
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        on_disk = _cookies_on_disk(profile, tmp_path)
        if "draft" in on_disk:
            return on_disk
        time.sleep(0.2)
    return _cookies_on_disk(profile, tmp_path)


def test_killed_browser_resumes_where_left_off(launch_persistent_phone, make_patient, tmp_path):
    profile = tmp_path / "profile"
    context = launch_persistent_phone(profile)
    try:
        patient = make_patient(context.pages[0] if context.pages else context.new_page(), axe=False)
        patient.start()
        patient.answer(SEVERAL_DAYS)
        patient.answer(MORE_THAN_HALF)
        assert patient.step_number() == 3
        draft = next(c for c in context.cookies() if c["name"] == "draft")
        assert draft["expires"] > time.time() + 71 * 3600, "draft cookie must persist for 72 h"
        on_disk = _flush_cookie_store(context, profile, tmp_path)
        assert on_disk.get("draft") == 1, f"draft cookie not stored on disk: {on_disk}"
        _kill_browser_hard(profile)
    finally:
        with contextlib.suppress(Exception):  # the browser is already dead, which is the point
            context.close()

    context = launch_persistent_phone(profile)
    try:
        patient = make_patient(context.pages[0] if context.pages else context.new_page(), axe=False)
        patient.open_start()
        assert patient.page.get_by_role("button", name="Continue where you left off").count() == 1
        patient.press("Continue where you left off")
        assert patient.path == "/step/3", f"resume should open question 3, at {patient.path}"
        assert patient.checked_value("phq9_3") is None
        with patient.page.expect_navigation():
            patient.page.get_by_role("link", name="Back", exact=True).click()
        patient.arrived()
        assert patient.path == "/step/2"
        assert patient.checked_value("phq9_2") == SCORES[MORE_THAN_HALF]
        with patient.page.expect_navigation():
            patient.page.get_by_role("link", name="Back", exact=True).click()
        patient.arrived()
        assert patient.path == "/step/1"
        assert patient.checked_value("phq9_1") == SCORES[SEVERAL_DAYS]
    finally:
        context.close()


# 6 ------------------------------------------------------------------------------------------

def test_two_tabs_submitting_at_once_make_one_submission(
        phone_context, phone, make_patient, live_server):
    patient = make_patient(phone, axe=False)
    patient.start()
    for _ in range(9):
        patient.answer(NOT_AT_ALL)
    patient.finish_to_review()
    second = make_patient(phone_context.new_page(), axe=False)
    second.page.goto("/review")
    second.arrived("second-tab-review")
    assert second.path == "/review"

    before = submission_count(live_server)
    posts: list[str] = []
    for tab in (patient, second):
        tab.page.on("request", lambda request: posts.append(request.url)
                    if request.method == "POST" and request.url.endswith("/submit") else None)
    buttons = [tab.page.get_by_role("button", name="Send my answers", exact=True)
               for tab in (patient, second)]
    for button in buttons:  # both forms go without waiting for the first to finish
        button.click(no_wait_after=True)
    codes = []
    for tab in (patient, second):
        tab.page.wait_for_url("**/done")
        tab.page.wait_for_load_state()
        tab.arrived("done")
        codes.append(squashed(tab.page.locator(".code").inner_text()
                              .replace("Reference code:", "")))
    assert len(posts) == 2, f"expected both tabs to POST /submit, saw {posts}"
    assert codes[0] == codes[1], f"two tabs show different codes: {codes}"
    assert CODE.match(codes[0])
    assert submission_count(live_server) - before == 1, "double submit stored more than one row"
    with live_server.app.app_context():
        stored = db.session.scalars(
            select(Submission.code).where(Submission.has_code(codes[0].replace("-", "")))).all()
        db.session.remove()
    assert len(stored) == 1, f"the code shown is not stored exactly once: {stored}"


# 7 ------------------------------------------------------------------------------------------

def test_summary_prints_on_one_page(phone_patient):
    patient = phone_patient
    # The walk repeats the severe-patient test's pages: no axe or screenshots until the summary.
    patient.axe, shots, patient.shots = False, patient.shots, None
    walk_severe_to_review(patient)
    code = send_and_read_code(patient)
    patient.shots = shots
    open_summary(patient)
    page = patient.page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    sizes = {"A4": (595.0, 842.0), "Letter": (612.0, 792.0)}
    for paper, (width, height) in sizes.items():
        path = OUTPUT / f"summary-severe-{paper}.pdf"
        page.pdf(path=str(path), format=paper)
        reader = PdfReader(str(path))
        assert len(reader.pages) == 1, f"{paper}: summary prints on {len(reader.pages)} pages"
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - width) < 2 and abs(float(box.height) - height) < 2, paper
        text = squashed(reader.pages[0].extract_text())
        for expected in ("27 / 27", "SAFETY FLAG", code, "not a diagnosis", ASQ_TEXT["asq_5"]):
            assert expected in text, f"{paper} PDF lacks {expected!r}"
        assert "Skip to main content" not in text and "Back to your reference code" not in text
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path),
                            str(path.with_suffix(""))], check=True, timeout=30)

    # A picture of the print layout for a human (Chromium's print CSS at A4 text width).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1000})
    page.screenshot(path=str(OUTPUT / "summary-severe-print-media.png"), full_page=True)


# 8 ------------------------------------------------------------------------------------------

def test_no_horizontal_scrolling_at_320px(js_context_at, make_patient):
    overflow: list[str] = []

    def fits_320(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            overflow.append(f"{page.url}: scrollWidth {width}")

    context = js_context_at(320, 640)
    patient = make_patient(context.new_page(), axe=False, checks=[fits_320])
    walk_severe_to_review(patient)
    send_and_read_code(patient)
    open_summary(patient)
    visited = set(patient.visited)
    assert {"/step/1", "/step/10", "/step/16", "/review", "/done", "/summary"} <= visited
    assert not overflow, "horizontal scrolling at 320 px:\n" + "\n".join(overflow)

"""The reception desk in Debian's Chromium at 1280 x 800: a patient finishes on their phone, staff
sign in with password and authenticator, look the code up, print to PDF, acknowledge the flag;
axe-core finds no violation on any staff page. Screenshots go to test-output/staff/.

The live server speaks plain http on 127.0.0.1 with CSRF on: Chromium treats loopback as a secure
context, so it keeps the `__Host-staff` cookie (Secure) there; the test checks that it does.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from screening.database import db
from tests.chromium import LiveServer
from tests.helpers import REST_OF_FLOW
from tests.staff.helpers import ACUTE, PASSWORD, create_account

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "staff"
PATIENT_ANSWERS = REST_OF_FLOW | ACUTE


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("staff-browser") / "staff.db"
    with LiveServer.running(database, "staff-browser-secret") as live:
        yield live.app, live.url


class Desk:
    """The reception PC: every page visited is screenshotted and checked with axe-core."""

    def __init__(self, page):
        self.page = page
        self.shots = 0
        self.checked: list[str] = []
        OUTPUT.mkdir(parents=True, exist_ok=True)

    def arrived(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(OUTPUT / f"{self.shots:02d}-{name}.png"), full_page=True)
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        violations = results.response["violations"]
        assert not violations, f"axe on {self.page.url}:\n{results.generate_report()}"
        self.checked.append(self.page.url.split("/", 3)[-1])

    def press(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()

    def main(self) -> str:
        return " ".join(self.page.locator("main").inner_text().split())


def finish_questionnaire(page, base: str) -> str:
    """Answer every page from PATIENT_ANSWERS with JavaScript off; return the reference code."""
    page.goto(base + "/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start", exact=True).click()
    for _ in range(80):
        if page.url.endswith("/done"):
            return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator(".code").inner_text())[0]
        if page.url.endswith("/review"):
            button = page.get_by_role("button", name="Send my answers")
        else:
            button = page.locator("main form[method=post] button[type=submit]").last
            for name, value in PATIENT_ANSWERS.items():
                for chosen in value if isinstance(value, list) else [value]:
                    box = page.locator(f'main input[name="{name}"][value="{chosen}"]')
                    if box.count():
                        box.check()
                    answer = page.locator(f'main button[name="{name}"][value="{chosen}"]')
                    if answer.count():  # a question alone on its page: the answer is the button
                        button = answer
        before = page.url
        with page.expect_navigation():
            button.click()
        assert page.url != before or "error" not in page.content(), f"stuck at {page.url}"
    raise AssertionError("the questionnaire did not finish")


def test_a_desk_shift_in_chromium(browser, server):
    desk_shift(browser, *server)


def desk_shift(browser, app, base: str) -> None:
    create_account(app, "dr.lee", role="clinician", enrolled=False)

    phone = browser.new_context(viewport={"width": 390, "height": 844},
                                java_script_enabled=False)
    code = finish_questionnaire(phone.new_page(), base)
    phone.close()

    context = browser.new_context(viewport=DESK, base_url=base, java_script_enabled=True)
    context.set_default_timeout(10_000)
    # Headless Chromium cannot show a print dialog; count the calls print.js makes instead.
    context.add_init_script(
        "window.print = () => { window.printCalls = (window.printCalls || 0) + 1; };")
    desk = Desk(context.new_page())
    page = desk.page

    # Sign in for the first time: password, then set up the authenticator from the page.
    page.goto("/staff/")
    assert page.url.endswith("/staff/login")
    desk.arrived("login")
    page.get_by_label("Username").fill("dr.lee")
    page.get_by_label("Password").fill(PASSWORD)
    desk.press("Continue")
    assert page.url.endswith("/staff/login/enrol")
    desk.arrived("enrol")
    secret = page.locator(".secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    desk.press("Confirm and sign in")
    assert page.url.endswith("/staff/"), desk.main()

    cookie = next(c for c in context.cookies() if c["name"] == "__Host-staff")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and cookie["expires"] == -1  # a session cookie, kept on http

    # Sign out and in again: password page, then code page (the next 30-second code).
    desk.press("Sign out")
    desk.arrived("signed-out")
    assert not any(c["name"] == "__Host-staff" for c in context.cookies())
    page.goto("/staff/login")
    page.get_by_label("Username").fill("dr.lee")
    page.get_by_label("Password").fill(PASSWORD)
    desk.press("Continue")
    assert page.url.endswith("/staff/login/code")
    desk.arrived("code")
    next_code = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    page.get_by_label("6-digit code from your authenticator app").fill(next_code)
    desk.press("Sign in")
    assert page.url.endswith("/staff/")
    desk.arrived("queue")
    assert code in desk.main() and "Acute" in desk.main()

    # Look the code up as reception would type it: lower case, no dash.
    page.get_by_role("link", name="Look up a code").click()
    assert page.evaluate("document.activeElement.name") == "code"  # autofocus
    page.keyboard.type("0000-0000")
    desk.press("Find summary")
    assert "No summary matches that code" in desk.main()
    desk.arrived("lookup-no-match")
    page.get_by_label("Patient's reference code").fill(code.replace("-", "").lower())
    desk.press("Find summary")
    assert re.search(r"/staff/submissions/[A-Za-z0-9_-]{43}$", page.url)
    assert code not in page.url and code.replace("-", "") not in page.url
    summary_url = page.url
    desk.arrived("summary")
    assert "27 / 27" in desk.main() and "SAFETY FLAG" in desk.main()

    # Print: the print page opens the print dialog through print.js.
    desk.press("Print")
    assert page.url.endswith("/print")
    page.wait_for_function("window.printCalls === 1")
    desk.arrived("print")
    pdf = OUTPUT / "summary.pdf"
    page.pdf(path=str(pdf), format="Letter")
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1, f"the summary printed on {len(reader.pages)} pages"
    text = " ".join(reader.pages[0].extract_text().split())
    assert "27 / 27" in text and code in text and "Sign out" not in text

    # Acknowledge the safety flag; the summary and the queue say who and when.
    page.goto(summary_url)
    desk.press("Acknowledge safety flag")
    assert "Acknowledged by dr.lee at" in desk.main()
    page.get_by_role("link", name="Today’s queue").click()
    row = " ".join(page.locator("tbody tr").first.inner_text().split())
    assert code in row and "Printed" in row and "Acknowledged by dr.lee at" in row
    desk.arrived("queue-acknowledged")
    page.goto(summary_url.replace("/submissions/", "/submissions/") + "/print")
    assert "Acknowledged by dr.lee at" in desk.main()
    context.close()
    assert {"staff/login", "staff/login/enrol", "staff/login/code", "staff/", "staff/lookup",
            "staff/logout"} <= set(desk.checked)


def test_the_print_page_works_without_javascript(browser, server):
    print_without_javascript(browser, *server)


def _a_finished_questionnaire(app) -> None:
    """One submission of the acute patient, stored as the patient's Send stores it, so this test
    does not depend on another having run first (the suite runs in parallel)."""
    from screening.patient import store

    with app.app_context():
        token = store.new_draft_token()
        store.create_draft(token)
        store.save_answers(token, ACUTE)
        store.submit(token, store.find_draft(token, 72))


def print_without_javascript(browser, app, base: str) -> None:
    _a_finished_questionnaire(app)
    create_account(app, "nojs", role="reception")
    context = browser.new_context(viewport=DESK, base_url=base, java_script_enabled=False)
    page = context.new_page()
    page.goto("/staff/login")
    page.get_by_label("Username").fill("nojs")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    with app.app_context():
        from screening.staff.models import StaffUser

        secret = db.session.query(StaffUser).filter_by(username="nojs").one().totp_secret
    page.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    link = page.locator("a.code-link").first
    with page.expect_navigation():
        link.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Print").click()
    assert page.url.endswith("/print")
    assert "press Ctrl+P" in page.locator("main").inner_text()
    assert "Acknowledge safety flag" not in page.content()
    context.close()

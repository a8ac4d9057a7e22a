"""Browser fixtures: a live server, Debian's Chromium through Playwright, screenshots and axe.

The patient flow is driven with JavaScript disabled at a 390 x 844 phone viewport (DESIGN.md §6).
axe-core needs JavaScript inside the page, so `assert_axe_clean` reopens the *same URL* from the
server in a separate JS-enabled context that carries the same cookies (the real page, not a copy).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.chromium import CHROMIUM_MISSING, LiveServer, launch_options

PHONE = {"width": 390, "height": 844}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A missing Chromium fails each browser test (reported FAILED, not a fixture ERROR)."""
    report = yield
    if (call.when == "setup" and report.failed and call.excinfo is not None
            and CHROMIUM_MISSING in str(call.excinfo.value)):
        report.when = "call"
    return report


# --- live server -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-db") / "browser.db"
    with LiveServer.running(database, "browser-test-secret") as live:
        yield live


# --- Playwright ------------------------------------------------------------------------------

def phone_context_options(base_url: str, **overrides) -> dict:
    options = {
        "viewport": dict(PHONE),
        "device_scale_factor": 1,
        "is_mobile": False,
        "java_script_enabled": False,
        "base_url": base_url,
        "locale": "en-US",
    }
    options.update(overrides)
    return options


@pytest.fixture
def phone_context(browser, live_server):
    context = browser.new_context(**phone_context_options(live_server.url))
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def phone(phone_context):
    return phone_context.new_page()


# --- screenshots -----------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "page"


class Screenshots:
    """Saves test-output/screenshots/<test>-<nn>-<slug>.png, numbered in visiting order."""

    def __init__(self, test_name: str):
        self.test = _slug(test_name)
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{self.test}-[0-9][0-9]-*.png"):
            old.unlink()

    def take(self, page, slug: str | None = None) -> Path:
        self.count += 1
        name = slug or page_slug(page)
        path = SCREENSHOTS / f"{self.test}-{self.count:02d}-{_slug(name)}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except PlaywrightError as error:
            # Headless Chromium now and then fails a capture while the whole suite keeps both
            # CPUs busy; a screenshot is a record for people to look at, so it is tried again once.
            if "Unable to capture screenshot" not in str(error):
                raise
            page.wait_for_timeout(250)
            page.screenshot(path=str(path), full_page=True)
        return path


def page_slug(page) -> str:
    path = page.url.split("://", 1)[-1].split("/", 1)[-1]
    return _slug(path.replace("?change=1", "-change")) or "start"


@pytest.fixture
def screenshots(request):
    return Screenshots(request.node.name)


# --- axe-core --------------------------------------------------------------------------------

def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class AxeTwin:
    """A JS-enabled context on the same browser that reopens pages to run axe-core in them.

    axe.min.js is added as an init script (it runs before the page's own scripts; CSP does not
    apply to scripts Playwright injects). One twin is reused for every page of a test.
    """

    def __init__(self, browser, viewport: dict):
        self.axe = _axe()
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                           java_script_enabled=True)
        self.context.add_init_script(self.axe.axe_script)
        self.page = self.context.new_page()

    def check(self, page) -> dict:
        """Open page.url here with page's cookies; return axe's response for it."""
        if page.viewport_size and page.viewport_size != self.page.viewport_size:
            self.page.set_viewport_size(page.viewport_size)
        self.context.clear_cookies()
        self.context.add_cookies(page.context.cookies())
        response = self.page.goto(page.url)
        assert response is not None and response.ok, f"axe: reloading {page.url} failed"
        assert self.page.url == page.url, f"axe: {page.url} redirected to {self.page.url}"
        assert self.page.title() == page.title(), (
            f"axe: {page.url} rendered a different page ({self.page.title()!r} != "
            f"{page.title()!r})")
        return self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")

    def close(self) -> None:
        self.context.close()


def assert_axe_clean(page, twin: AxeTwin | None = None) -> None:
    """Zero axe-core violations on the page the (JS-disabled) `page` is showing.

    The URL is fetched again from the server in a JS-enabled context with the same cookies and
    viewport; the page title must match, so axe checks the same real page, not a reconstruction.
    Pass a reusable `twin` to save starting a context per page.
    """
    from axe_playwright_python.base import AxeResults

    own = twin is None
    if own:
        assert page.context.browser is not None, "axe needs a page from a launched browser"
        twin = AxeTwin(page.context.browser, page.viewport_size or PHONE)
    try:
        results = AxeResults(twin.check(page))
    finally:
        if own:
            twin.close()
    violations = results.response["violations"]
    if violations:
        report = results.generate_report()
        print(f"\naxe violations on {page.url}:\n{report}")
        pytest.fail(f"{len(violations)} axe violation(s) on {page.url}: "
                    + ", ".join(f"{v['id']} ({v['impact']})" for v in violations)
                    + "\n" + report, pytrace=False)


# Results name the instrument and its range, never the person (DESIGN.md §2).
DIAGNOSTIC_PHRASES = ("you have depression", "diagnosed with", "you are depressed",
                      "not eligible", "your diagnosis", "you suffer from", "you are suicidal")


def assert_no_diagnostic_phrasing(page) -> None:
    text = " ".join(page.locator("body").inner_text().lower().split())
    found = [phrase for phrase in DIAGNOSTIC_PHRASES if phrase in text]
    assert not found, f"{page.url} uses diagnostic phrasing: {found}"


# --- a patient driving the questionnaire -----------------------------------------------------

# Steps 1-9 are PHQ-9 items 1-9, 10 the safety notice, 11-15 the ASQ, 16 "ask for help now" and
# 17 PHQ-9 item 10 (screening/domain/data/flow.toml); later sections follow.
LAST_SAFETY_STEP = 17


class PatientBrowser:
    """One patient's phone: every page arrived at is screenshotted and (optionally) axe-checked."""

    def __init__(self, page, shots: Screenshots | None, axe: bool = True, checks=(),
                 twin: "AxeTwin | None" = None):
        self.page = page
        self.shots = shots
        self.axe = axe
        self.twin = twin
        self.checks = list(checks)  # extra callables(page) run on every page arrived at
        self.visited: list[str] = []

    @property
    def path(self) -> str:
        return "/" + self.page.url.split("://", 1)[-1].split("/", 1)[-1]

    def arrived(self, slug: str | None = None) -> None:
        self.visited.append(self.path)
        assert_no_diagnostic_phrasing(self.page)
        for check in self.checks:
            check(self.page)
        if self.shots is not None:
            self.shots.take(self.page, slug)
        if self.axe:
            assert_axe_clean(self.page, self.twin)

    def open_start(self) -> None:
        response = self.page.goto("/")
        assert response is not None and response.status == 200
        self.arrived("start")

    def press(self, name: str) -> None:
        """Press a button by its exact visible name and wait for the next page."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()
        self.arrived()

    def start(self) -> None:
        self.open_start()
        self.press("Start")
        assert self.path == "/step/1", self.path

    def answer(self, label: str) -> None:
        """On a question page: tap the answer `label` (a question alone on its page), or choose
        the option labelled `label` and press Continue."""
        if self.page.locator("main .answer-buttons").count():
            button = self.answer_button(label)
            assert button.count() == 1, f"{self.path}: no single answer {label!r}"
            with self.page.expect_navigation():
                button.click()
            self.arrived()
            return
        radio = self.page.get_by_role("radio", name=label, exact=True)
        assert radio.count() == 1, f"{self.path}: no single option {label!r}"
        radio.check()
        self.press("Continue")

    def answer_button(self, label: str):
        name = re.compile(rf"^{re.escape(label)}( \(your answer\))?$")
        return self.page.locator("main .answer-buttons").get_by_role("button", name=name)

    def acknowledge(self) -> None:
        """On a notice page: press its one submit button."""
        buttons = self.page.locator("main form button[type=submit]")
        assert buttons.count() == 1, f"{self.path}: expected one button on a notice page"
        with self.page.expect_navigation():
            buttons.click()
        self.arrived()

    def finish_to_review(self, max_pages: int = 60) -> None:
        """Answer whatever the rest of the questionnaire asks, plainly, until the review page.

        Later sections (treatment history, medical questions) are outside these tests' subject;
        each radio group gets "No" (or its first option), a checkbox group its "none" option,
        a repeating list is left empty and a notice is acknowledged.
        """
        for _ in range(max_pages):
            if self.path == "/review":
                return
            number = self.step_number()
            assert number > LAST_SAFETY_STEP, (
                f"finish_to_review reached PHQ-9/safety step {number}; answer it explicitly")
            before = self.path
            if self.page.locator("main .answer-buttons").count():
                labels = [b.strip() for b in self.page.locator(
                    "main .answer-buttons button").all_inner_texts()]
                preferred = next((p for p in ("No", "Not sure") if p in labels), labels[0])
                self.answer(preferred)
                continue
            self._fill_plainly()
            buttons = self.page.locator("main form[method=post] button[type=submit]")
            with self.page.expect_navigation():
                buttons.last.click()
            self.arrived()
            if self.path == before:
                errors = self.page.locator(".error-summary")
                problem = errors.inner_text() if errors.count() else "(no error summary)"
                raise AssertionError(f"{before} did not accept plain answers: {problem}")
        raise AssertionError(f"did not reach review within {max_pages} pages")

    def _fill_plainly(self) -> None:
        page = self.page
        for fieldset in page.locator("main form fieldset").all():
            radios = fieldset.locator("input[type=radio]")
            if radios.count():
                if fieldset.locator("input[type=radio]:checked").count():
                    continue
                for preferred in ("No", "Not sure", "I don't know"):
                    option = fieldset.get_by_role("radio", name=preferred, exact=True)
                    if option.count() == 1:
                        option.check()
                        break
                else:
                    radios.first.check()
                continue
            boxes = fieldset.locator("input[type=checkbox]")
            if boxes.count() and not fieldset.locator("input[type=checkbox]:checked").count():
                none = fieldset.get_by_role("checkbox", name=re.compile(r"^(none|no)\b", re.I))
                if none.count():
                    none.first.check()

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def step_number(self) -> int:
        match = re.fullmatch(r"/step/(\d+)(\?change=1)?", self.path)
        assert match, f"expected a step page, at {self.path}"
        return int(match.group(1))

    def checked_value(self, question_id: str) -> str | None:
        """The option the *server* marked checked (the HTML attribute, not restored form state)."""
        chosen = self.page.locator(f"main button.answer.chosen[name={question_id}]")
        if chosen.count():
            return chosen.first.get_attribute("value")
        radios = self.page.locator(f"input[type=radio][name={question_id}]")
        for index in range(radios.count()):
            if radios.nth(index).get_attribute("checked") is not None:
                return radios.nth(index).get_attribute("value")
        return None

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()


@pytest.fixture
def axe_check():
    """`assert_axe_clean` as a fixture, so test modules need not import this conftest."""
    return assert_axe_clean


@pytest.fixture
def make_patient(screenshots, browser):
    """PatientBrowser(page) factory sharing the test's screenshot numbering and axe twin."""
    twins = []

    def make(page, axe: bool = True, shots: bool = True, checks=()) -> PatientBrowser:
        twin = None
        if axe:
            if not twins:
                twins.append(AxeTwin(browser, page.viewport_size or PHONE))
            twin = twins[0]
        return PatientBrowser(page, screenshots if shots else None, axe=axe, checks=checks,
                              twin=twin)

    yield make
    for twin in twins:
        twin.close()


@pytest.fixture
def phone_patient(phone, make_patient):
    return make_patient(phone)


@pytest.fixture
def launch_persistent_phone(playwright_instance, live_server):
    """Launch Chromium on a profile directory (cookies on disk) as a JS-disabled phone."""

    def launch(user_data_dir: Path):
        context = playwright_instance.chromium.launch_persistent_context(
            str(user_data_dir), **launch_options(), **phone_context_options(live_server.url))
        context.set_default_timeout(10_000)
        return context

    return launch


@pytest.fixture
def js_context_at(browser, live_server):
    """A JS-enabled context at a given viewport (for measuring layout with document.* APIs)."""
    contexts = []

    def make(width: int, height: int, **options):
        context = browser.new_context(**phone_context_options(
            live_server.url, viewport={"width": width, "height": height},
            java_script_enabled=True, **options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()

"""Spanish in a real Chromium: the whole flow with JavaScript off at 390 x 844, switching language
in the middle without losing an answer, axe-core clean pages, and no sideways scrolling at 320 px.

Debian's Chromium through Playwright (DESIGN.md §6); these tests fail, never skip, without it.
Screenshots: test-output/screenshots/spanish-*.png.
"""

import re
from pathlib import Path

import pytest
from spanish_helpers import DIAGNOSTIC_ES

from tests.chromium import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


# --- fixtures: a live server and Chromium -----------------------------------------------------

@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("spanish-browser") / "browser.db"
    with LiveServer.running(database, "spanish-browser-secret") as live:
        yield live.url


@pytest.fixture
def chromium(browser):
    return browser


def no_other_treatments(patient, augmentation: bool = True) -> None:
    """No augmentation (asked only after a medicine), no talking therapy, no ECT or TMS, no
    earlier ketamine."""
    if augmentation:
        patient.page.get_by_role("checkbox", name="Ninguno de estos").check()
        patient.press("Continuar")
    patient.answer("No")
    patient.choose("No", "terapia electroconvulsiva")
    patient.choose("No", "estimulación magnética")
    patient.choose("No", "ketamina")
    patient.press("Continuar")


def spanish_context(chromium, live_url, viewport=PHONE, javascript=False):
    context = chromium.new_context(viewport=viewport, device_scale_factor=1, locale="es-US",
                                   java_script_enabled=javascript, base_url=live_url)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(chromium, live_url):
    context = spanish_context(chromium, live_url)
    yield context.new_page()
    context.close()


class Axe:
    """axe-core in a JS-enabled twin context that reopens the same URL with the same cookies."""

    def __init__(self, chromium, viewport):
        from axe_playwright_python.sync_playwright import Axe as AxeRunner

        self.runner = AxeRunner()
        self.context = chromium.new_context(viewport=viewport, java_script_enabled=True,
                                            locale="es-US")
        self.context.add_init_script(self.runner.axe_script)
        self.page = self.context.new_page()

    def violations(self, page) -> list:
        self.context.clear_cookies()
        self.context.add_cookies(page.context.cookies())
        response = self.page.goto(page.url)
        assert response is not None and response.ok, page.url
        assert self.page.title() == page.title(), f"axe saw another page than {page.url}"
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return result["violations"]


@pytest.fixture
def axe(chromium):
    twin = Axe(chromium, PHONE)
    yield twin
    twin.context.close()


# --- a Spanish-speaking patient on a phone, JavaScript off ------------------------------------

class Patient:
    def __init__(self, page, axe: Axe | None, name: str):
        self.page, self.axe, self.name, self.count = page, axe, name, 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{name}-*.png"):
            old.unlink()

    @property
    def path(self) -> str:
        return "/" + self.page.url.split("://", 1)[1].split("/", 1)[1]

    def arrived(self, language: str = "es") -> None:
        page = self.page
        assert page.locator("html").get_attribute("lang") == language, self.path
        text = " ".join(page.locator("body").inner_text().lower().split())
        assert not [p for p in DIAGNOSTIC_ES if re.search(p, text)], self.path
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-") or "start"
        page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.count:02d}-{slug}.png"),
                        full_page=True)
        if self.axe is not None:
            found = self.axe.violations(page)
            assert not found, f"axe on {self.path}: " + "; ".join(
                f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found)

    def open(self, path: str = "/") -> None:
        assert self.page.goto(path).ok
        self.arrived()

    def press(self, name: str, language: str = "es") -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()
        self.arrived(language)

    def follow(self, name: str, language: str = "es") -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=True).click()
        self.arrived(language)

    def choose(self, label: str, group: str | None = None) -> None:
        scope = self.page.locator("main")
        if group:
            scope = scope.locator("fieldset").filter(has_text=group)
        radio = scope.get_by_role("radio", name=label, exact=True)
        assert radio.count() == 1, f"{self.path}: no single option {label!r} in {group!r}"
        radio.check()

    def answer(self, label: str, language: str = "es") -> None:
        """Tap the answer on a one-question page, or choose it and press Continue."""
        buttons = self.page.locator("main .answer-buttons")
        if buttons.count():
            mark = "(su respuesta)" if language == "es" else "(your answer)"
            name = re.compile(rf"^{re.escape(label)}( {re.escape(mark)})?$")
            button = buttons.get_by_role("button", name=name)
            assert button.count() == 1, f"{self.path}: no single answer {label!r}"
            with self.page.expect_navigation():
                button.click()
            self.arrived(language)
            return
        self.choose(label)
        self.press("Continuar" if language == "es" else "Continue", language)

    def switch_to(self, language: str, button: str) -> None:
        before = self.path
        with self.page.expect_navigation():
            self.page.locator("header").get_by_role("button", name=button, exact=True).click()
        assert self.path == before, f"the switch moved from {before} to {self.path}"
        self.arrived(language)

    def checked(self, name: str) -> str | None:
        checked = self.page.locator(f"input[name={name}][checked], button.chosen[name={name}]")
        return checked.get_attribute("value") if checked.count() else None


def walk_the_whole_flow(patient: Patient) -> None:
    patient.open("/")
    assert patient.page.locator("h1").inner_text() == "Antes de su primera consulta"
    patient.press("Empezar")
    for number in range(1, 5):
        assert patient.path == f"/step/{number}"
        patient.answer("Casi todos los días")
    assert "Pregunta 5 de 9" in patient.page.locator("main").inner_text()

    # Switch to English at question 5 and back at question 6: nothing is lost.
    patient.switch_to("en", "English")
    assert patient.page.get_by_role("button", name="Nearly every day", exact=True).count() == 1
    patient.answer("Nearly every day", "en")
    patient.switch_to("es", "Español")
    assert patient.path == "/step/6"
    with patient.page.expect_navigation():
        patient.page.get_by_role("link", name="Atrás").click()
    assert patient.path == "/step/5" and patient.checked("phq9_5") == "3"
    patient.arrived()
    patient.answer("Casi todos los días")
    for number in range(6, 10):
        assert patient.path == f"/step/{number}"
        patient.answer("Casi todos los días")

    assert patient.page.locator("h1").inner_text() == "Su seguridad es importante"
    assert "oprima 2" in patient.page.locator(".crisis").inner_text()
    patient.press("Continuar a las preguntas sobre su seguridad")
    for label in ("Sí", "No", "No", "No"):
        patient.answer(label)
    assert "¿Está pensando en suicidarse en este momento?" in patient.page.inner_text("main")
    patient.answer("No")
    patient.answer("Muy difícil")

    # Treatment history.
    assert "Parte 2 de 4: Tratamientos que ha probado" in patient.page.inner_text("main")
    patient.choose("Hace más de 2 años")
    patient.choose("No", "Antes de que comenzara")
    patient.press("Continuar")
    assert patient.page.locator("h1").inner_text() == "Medicamentos antidepresivos que ha tomado"
    patient.follow("Agregar un medicamento")
    page = patient.page
    page.get_by_label("¿Qué medicamento?").select_option(label="sertraline (Zoloft)")
    patient.choose("Sí", "¿Lo tomó durante este período")
    page.get_by_label("La dosis más alta que tomó al día, en mg").fill("100")
    page.get_by_label("¿Cuántas semanas tomó esa dosis?").fill("8")
    patient.choose("La mayoría de los días", "¿Lo tomó como se lo recetaron?")
    patient.choose("Nada", "¿Cuánto le ayudó este medicamento?")
    patient.choose("No me estaba ayudando", "¿Por qué lo dejó?")
    patient.press("Guardar este medicamento")
    assert "Ha agregado 1 medicamento" in page.inner_text("main")
    patient.press("Continuar")
    no_other_treatments(patient)

    # Health questions.
    assert "Parte 3 de 4: Preguntas de salud" in page.inner_text("main")
    while patient.path != "/review":
        for fieldset in page.locator("main fieldset").all():
            fieldset.get_by_role("radio", name="No", exact=True).check()
        if "llevarle a casa" in page.inner_text("main"):
            patient.choose("Sí", "llevarle a casa")
        patient.press("Continuar")
    review = page.inner_text("main")
    assert review.count("Casi todos los días") == 9, review
    assert "sertraline (Zoloft)" in review
    patient.press("Enviar mis respuestas")
    assert page.locator("h1").inner_text() == "Sus respuestas se enviaron"
    patient.follow("Ver sus respuestas")
    summary = page.inner_text("main")
    assert "Sus respuestas suman" in summary and "Un clínico las revisará con usted" in summary
    assert "Poco interés o placer en hacer cosas" in summary
    assert "grave" not in summary and "ASQ" not in summary  # plain words, no category
    patient.follow("Imprimir el resumen para su clínico", language="en")
    sheet = page.inner_text("main")  # the clinician sheet, in the clinic's language (English)
    assert "the range the PHQ-9 calls" in sheet and "Answered in Spanish" in sheet


def test_the_whole_flow_in_spanish_with_javascript_off(phone, axe):
    walk_the_whole_flow(Patient(phone, axe, "spanish-flow"))


def test_no_sideways_scrolling_at_320_px_in_spanish(chromium, live_url):
    context = spanish_context(chromium, live_url, viewport=NARROW, javascript=True)
    page = context.new_page()
    patient = Patient(page, None, "spanish-320")
    try:
        patient.open("/")
        patient.press("Empezar")
        checked = [patient.path]
        assert_fits(page)
        for _ in range(9):
            patient.answer("Varios días")
        patient.press("Continuar a las preguntas sobre su seguridad")  # safety notice
        assert_fits(page)
        for label in ("Sí", "No", "No", "No", "No"):
            patient.answer(label)
        patient.answer("Extremadamente difícil")
        patient.choose("Hace más de 1 año, hasta 2 años")
        patient.choose("No estoy seguro(a)", "Antes de que comenzara")
        patient.press("Continuar")
        patient.follow("Agregar un medicamento")
        checked.append(patient.path)
        assert_fits(page)
        patient.press("Guardar este medicamento")  # with errors: the widest version
        assert page.locator(".error-summary").count() == 1
        assert_fits(page)
        patient.follow("Volver a la lista")
        patient.press("No he tomado ningún antidepresivo")
        no_other_treatments(patient, augmentation=False)
        while patient.path != "/review":
            assert_fits(page)
            for fieldset in page.locator("main fieldset").all():
                fieldset.get_by_role("radio", name="Sí", exact=True).check()
            patient.press("Continuar")
        assert_fits(page)
        patient.press("Enviar mis respuestas")
        assert_fits(page)
        patient.follow("Ver sus respuestas")
        checked.append(patient.path)
        assert_fits(page)
        patient.follow("Imprimir el resumen para su clínico", language="en")
        checked.append(patient.path)
        assert_fits(page)
        assert checked[0] == "/step/1" and "/item/" in checked[1]
        assert checked[2:] == ["/summary", "/summary/print"]
    finally:
        context.close()


def assert_fits(page) -> None:
    """No sideways scrolling: the page, and every element in it, within the window's width."""
    scroll, client, wide = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .map(e => `${e.tagName}.${e.className}: ${e.getBoundingClientRect().right}`);
        return [document.documentElement.scrollWidth, width, wide.slice(0, 8)];
    }""")
    assert scroll <= client and not wide, f"{page.url}: {scroll} px in a {client} px window: {wide}"

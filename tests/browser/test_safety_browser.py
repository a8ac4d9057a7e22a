"""The safety pathway in a real Chromium (DESIGN.md §2): with JavaScript off at 320 x 568 and at
390 x 844 the "ask for help now" page shows Call 988, Text 988 and Call 911 inside the first
screen; an acute answer changed to "No" from the review page still prints as acute, with the
change; a patient who sends early gets a code, and the open staff queue shows the flag on top by
itself, keeping what reception typed in the look-up box."""

import re

import pytest

from screening.database import db
from tests.staff.helpers import PASSWORD, create_account, current_code

pytestmark = pytest.mark.browser

SMALL = {"width": 320, "height": 568}
PHONE = {"width": 390, "height": 844}


def walk_to_help_now(patient) -> None:
    patient.start()
    for _ in range(9):
        patient.answer("More than half the days")
    assert patient.step_number() == 10
    patient.acknowledge()
    for label in ("Yes", "No", "No", "No", "Yes"):
        patient.answer(label)
    assert patient.heading() == "Please ask for help now"


def assert_inside_first_screen(page, height: int) -> None:
    for href in ("tel:988", "sms:988", "tel:911"):
        link = page.locator(f'main .emergency-actions a[href="{href}"]')
        assert link.count() == 1, href
        box = link.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (
            f"{href} is not inside the first screen: {box}")
        assert box["height"] >= 44 and box["width"] >= 44, f"{href} is a small target: {box}"
    first_paragraph = page.locator("main p").first.bounding_box()
    last_button = page.locator('main a[href="tel:911"]').first.bounding_box()
    assert first_paragraph["y"] > last_button["y"], "a paragraph comes before the buttons"


@pytest.mark.parametrize("viewport", [SMALL, PHONE], ids=["320x568", "390x844"])
def test_help_now_buttons_are_first_on_the_screen_without_javascript(
        browser, live_server, make_patient, screenshots, viewport):
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  java_script_enabled=False, base_url=live_server.url,
                                  locale="en-US")
    try:
        patient = make_patient(context.new_page())
        walk_to_help_now(patient)
        page = patient.page
        assert_inside_first_screen(page, viewport["height"])
        size = f"{viewport['width']}x{viewport['height']}"
        full = screenshots.take(page, f"help-now-{size}")
        # Outside the numbered series, so the other viewport's run does not delete it.
        page.screenshot(path=str(full.with_name(f"safety-help-now-first-screen-{size}.png")))
        page.screenshot(path=str(full.with_name(f"safety-help-now-full-{size}.png")),
                        full_page=True)
        assert page.locator('main a[href^="sms:741741"]').count() == 1
        assert page.get_by_role("button", name="Continue the questionnaire").count() == 1
        assert page.get_by_role("button", name="Send my answers to the clinic now").count() == 1
    finally:
        context.close()


def test_acute_answer_changed_to_no_still_prints_as_acute(phone_patient, screenshots):
    patient = phone_patient
    patient.axe = False  # every page here is axe-checked in the other tests
    walk_to_help_now(patient)
    patient.press("Continue the questionnaire")
    patient.answer("Very difficult")
    patient.finish_to_review()
    with patient.page.expect_navigation():
        patient.page.locator('a[href="/step/15?change=1"]').click()
    patient.arrived()
    assert patient.checked_value("asq_5") == "yes"
    patient.answer("No")
    assert patient.path == "/review"
    patient.press("Send my answers")
    with patient.page.expect_navigation():
        patient.page.get_by_role("link", name="Print the summary for your clinician").click()
    patient.arrived("summary-after-change")
    shot = screenshots.take(patient.page, "summary")
    patient.page.locator(".safety-block").screenshot(
        path=str(shot.with_name("safety-summary-block-390x844.png")))
    block = " ".join(patient.page.locator(".safety-block").inner_text().split())
    assert "ASQ acute positive screen" in block
    assert re.search(r"Yes at \d\d:\d\d, changed to No at \d\d:\d\d", block), block
    assert "“Ask for help now” page shown: yes" in block


def test_send_early_reaches_the_top_of_the_open_staff_queue(
        browser, live_server, phone_patient, js_context_at, screenshots):
    app = live_server.app
    app.config["STAFF_QUEUE_REFRESH_SECONDS"] = 1
    user = create_account(app, username="desk.safety")
    desk = js_context_at(1280, 800).new_page()
    try:
        desk.goto("/staff/login")
        desk.get_by_label("Username").fill(user.username)
        desk.get_by_label("Password").fill(PASSWORD)
        with desk.expect_navigation():
            desk.get_by_role("button", name="Continue", exact=True).click()
        desk.get_by_label("6-digit code from your authenticator app").fill(current_code(user))
        with desk.expect_navigation():
            desk.get_by_role("button", name="Sign in", exact=True).click()
        assert desk.url.endswith("/staff/")
        desk.get_by_label("Patient's reference code").fill("7K3M")

        patient = phone_patient
        walk_to_help_now(patient)
        patient.press("Send my answers to the clinic now")
        assert patient.path == "/done"
        code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}", patient.page.locator(".code").inner_text())[0]
        assert patient.page.locator('main a[href="tel:988"]').count() >= 1
        patient.page.screenshot(path=str(screenshots.take(patient.page, "done").with_name(
            "safety-done-after-early-send-390x844.png")))

        first_code = desk.locator("#queue-live table.queue tbody tr").first.locator(".code-link")
        first_code.filter(has_text=code).wait_for(timeout=15_000)
        first_row = desk.locator("#queue-live table.queue tbody tr").first
        assert "level-acute" in first_row.get_attribute("class")
        assert desk.get_by_label("Patient's reference code").input_value() == "7K3M"
        desk.screenshot(path=str(screenshots.take(desk, "staff-queue-updated")), full_page=True)
    finally:
        app.config["STAFF_QUEUE_REFRESH_SECONDS"] = 30
        with app.app_context():
            db.session.remove()

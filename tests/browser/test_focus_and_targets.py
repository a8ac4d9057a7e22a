"""WCAG 2.2 AA beyond what axe sees, measured in Chromium at 320 and 390 px: the focus ring has at
least 3:1 contrast against what is behind it (1.4.11), and every target, Back and Change links
included, is at least 24 x 24 CSS px (2.5.8; links inside a sentence are exempt)."""

import re

import pytest

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = element => {  // the outline sits outside the element: its parent's background
    for (let e = element.parentElement; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const inSentence = e => e.tagName === 'A' && getComputedStyle(e).display === 'inline'
    && e.parentElement.textContent.trim() !== e.textContent.trim();
  const targets = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea')]
    .filter(e => e.getBoundingClientRect().width > 0);
  return targets.map(e => {
    const box = e.getBoundingClientRect();
    e.focus();
    const style = getComputedStyle(e.type === 'radio' || e.type === 'checkbox'
      ? e.nextElementSibling || e : e);
    const ring = rgb(style.outlineColor);
    const result = {
      what: `${e.tagName.toLowerCase()} ${(e.textContent || e.name || e.id).trim().slice(0, 40)}`,
      width: box.width, height: box.height, inSentence: inSentence(e),
      outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
      contrast: contrast(ring, behind(e.type === 'radio' || e.type === 'checkbox'
        ? (e.nextElementSibling || e) : e)),
    };
    e.blur();
    return result;
  });
}"""


def check(page, where: str) -> list[str]:
    problems = []
    for target in page.evaluate(MEASURE):
        name = f"{where}: {target['what']!r}"
        if not target["inSentence"] and (target["width"] < 24 or target["height"] < 24):
            problems.append(f"{name} is {target['width']:.0f} x {target['height']:.0f} px")
        if target["outline"] < 2 or target["contrast"] < 3:
            problems.append(f"{name} focus ring {target['outline']} px at "
                            f"{target['contrast']:.2f}:1")
    return problems


def go(page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).first.click()


@pytest.mark.parametrize("width", [320, 390])
def test_focus_ring_contrast_and_target_size_on_every_kind_of_patient_page(browser, live_server,
                                                                           width):
    context = browser.new_context(viewport={"width": width, "height": 800},
                                  base_url=live_server.url, java_script_enabled=True,
                                  locale="en-US")
    page = context.new_page()
    problems = []
    try:
        page.goto("/")
        problems += check(page, "start")
        go(page, "Start")
        problems += check(page, "question")
        for _ in range(9):
            go(page, "Not at all")
        problems += check(page, "episode")
        page.locator("fieldset").filter(has_text="roughly how long ago") \
            .get_by_role("radio", name="More than 2 years ago").check()
        page.locator("fieldset").filter(has_text="Before this period began") \
            .get_by_role("radio", name="No", exact=True).check()
        go(page, "Continue")
        go(page, "Add a medicine", "link")
        problems += check(page, "medicine form")
        page.select_option("#medicine", "sertraline")
        for group, option in (("during this period", "Yes"), ("as prescribed", "On all days"),
                              ("this medicine help", "Not at all"),
                              ("Why did you stop", "Side effects")):
            page.locator("fieldset").filter(has_text=group) \
                .get_by_role("radio", name=option, exact=True).check()
        go(page, "Save this medicine")
        problems += check(page, "medicine list")
        go(page, "Continue")
        page.get_by_role("checkbox", name="None of these").check()
        go(page, "Continue")
        go(page, "No")
        for fieldset in page.locator("main fieldset").all():
            fieldset.get_by_role("radio", name="No", exact=True).check()
        go(page, "Continue")
        while not page.url.endswith("/review"):
            for fieldset in page.locator("main fieldset").all():
                fieldset.get_by_role("radio", name=re.compile("^(No|Yes)$")).last.check()
            go(page, "Continue")
        problems += check(page, "check your answers")
        go(page, "Send my answers")
        problems += check(page, "done")
    finally:
        context.close()
    assert not problems, "\n".join(problems)

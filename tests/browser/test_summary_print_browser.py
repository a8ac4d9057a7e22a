"""The clinician sheet printed from a real Chromium, and the patient's plain screens.

The typical patient (issue 13: PHQ-9 severe with item 9 above 0, a positive non-acute ASQ with all
five answers, four antidepressant trials, one augmentation, talking therapy, earlier ketamine and
three health flags) walks the real pages with JavaScript off, then prints the sheet the patient
brings: exactly one page on A4 and on Letter, with the at-a-glance box on it. Nine trials print on
two pages with no row split, and page 2 carries the code, "Page 2 of 2" and "not a diagnosis".
"""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
PAPERS = ("A4", "Letter")
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def trial(medicine, dose, weeks, stopped="not_helping", response="little"):
    return {"medicine": medicine, "this_episode": "yes", "weeks": str(weeks), "adherence": "all",
            "response": response, "stopped": stopped,
            **({"dose_unknown": "y"} if dose is None else {"dose_mg": str(dose)})}


TYPICAL_TRIALS = [trial("sertraline", 150, 10), trial("venlafaxine", 225, 12, "side_effects"),
                  trial("bupropion", None, 8), trial("mirtazapine", 30, 6, "still")]
NINE_TRIALS = [trial(m, 100 + i, 8 + i) for i, m in enumerate(
    ["sertraline", "fluoxetine", "venlafaxine", "duloxetine", "mirtazapine", "bupropion",
     "vortioxetine", "nortriptyline", "phenelzine"])]
TYPICAL = {f"phq9_{i}": "3" for i in range(1, 9)} | {
    "phq9_9": "1", "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "yes", "asq_5": "no",
    "phq9_10": "2", "episode_month": "3", "episode_year": "2024", "earlier_episodes": "yes",
    "augmentation": ["antipsychotic"], "psychotherapy": "yes", "psychotherapy_type": "cbt",
    "psychotherapy_sessions": "6to12", "psychotherapy_response": "little",
    "ketamine_before": "ketamine", "ketamine_response": "somewhat",
    "aneurysm_avm": "yes", "high_blood_pressure": "unsure", "substance_use": "yes",
    "ride_home": "yes"}


def tap_answer(patient, answers: dict) -> None:
    """A question alone on its page: tap the button of the wanted answer (else "No")."""
    buttons = patient.page.locator("main .answer-buttons button")
    name = buttons.first.get_attribute("name")
    wanted = str(answers.get(name, "no"))
    values = [buttons.nth(i).get_attribute("value") for i in range(buttons.count())]
    chosen = buttons.nth(values.index(wanted) if wanted in values else 0)
    with patient.page.expect_navigation():
        chosen.click()
    patient.arrived()


def fill_and_continue(patient, answers: dict, submit: str | None = None) -> None:
    """Answer this page's questions from `answers` (others plainly: "No" / "None of these")."""
    page = patient.page
    if submit is None and page.locator("main .answer-buttons").count():
        tap_answer(patient, answers)
        return
    selects = page.locator("main form[method=post] select")
    for index in range(selects.count()):
        wanted = answers.get(selects.nth(index).get_attribute("name"))
        if wanted is not None:
            selects.nth(index).select_option(str(wanted))
    fields = page.locator("main form[method=post] input:not([type=hidden])")
    radios: dict[str, list] = {}
    for index in range(fields.count()):
        field = fields.nth(index)
        name, kind = field.get_attribute("name"), field.get_attribute("type")
        value = field.get_attribute("value")
        wanted = answers.get(name)
        if kind == "radio":
            radios.setdefault(name, []).append((value, field))
        elif kind == "checkbox":
            listed = wanted is not None and (value in wanted if isinstance(wanted, list)
                                             else wanted == value)
            if listed or (wanted is None and value == "none"):
                field.check()
        elif wanted is not None:
            field.fill(str(wanted))
    for name, options in radios.items():
        wanted = answers.get(name, "no")
        chosen = next((f for v, f in options if v == wanted), options[0][1])
        chosen.check()
    buttons = page.locator("main form[method=post] button[type=submit]")
    button = page.get_by_role("button", name=submit, exact=True) if submit else buttons.last
    with page.expect_navigation():
        button.click()
    patient.arrived()


def walk_to_summary(patient, answers: dict, trials: list[dict]) -> str:
    """The real pages from the start to /summary; returns the reference code."""
    patient.start()
    for _ in range(80):
        if patient.path == "/review":
            break
        heading = patient.heading()
        if heading == "Antidepressant medicines you have taken":
            for entry in trials:
                with patient.page.expect_navigation():
                    patient.page.get_by_role(
                        "link", name=re.compile(r"^Add (a|another) medicine$")).click()
                patient.arrived()
                fill_and_continue(patient, entry, submit="Save this medicine")
                assert patient.heading() == heading, patient.main_text()[:400]
            trials = []
        before = patient.path
        fill_and_continue(patient, answers)
        errors = patient.page.locator(".error-summary")
        assert patient.path != before or not errors.count(), f"{before}: {errors.inner_text()}"
    else:
        raise AssertionError("did not reach the review page")
    patient.press("Send my answers")
    assert patient.path == "/done"
    return CODE.search(patient.main_text()).group(0)


def print_pdfs(page, name: str) -> dict[str, list[str]]:
    """The page printed on A4 and Letter; each page's text, and PNGs to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    texts = {}
    for paper in PAPERS:
        path = OUTPUT / f"sheet-{name}-{paper}.pdf"
        page.pdf(path=str(path), format=paper)
        texts[paper] = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split())
                        for p in PdfReader(str(path)).pages]
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))],
                           check=True, timeout=60)
    return texts


def png_width(path: Path) -> int:
    """The width in the PNG header: a full-page screenshot wider than the viewport scrolls."""
    return int.from_bytes(path.read_bytes()[16:20], "big")


def open_link(patient, name: str) -> None:
    with patient.page.expect_navigation():
        patient.page.get_by_role("link", name=name, exact=True).click()
    patient.arrived()


def test_the_typical_patient_prints_on_one_page_with_the_box_first(
        phone, make_patient, screenshots, axe_check):
    patient = make_patient(phone, axe=False, shots=False)
    code = walk_to_summary(patient, TYPICAL, TYPICAL_TRIALS)
    for width, height in ((390, 844), (320, 568)):
        phone.set_viewport_size({"width": width, "height": height})
        assert png_width(screenshots.take(phone, f"done-{width}")) == width
    axe_check(phone)
    assert "Your answers add up to 25 out of 27. A clinician will go through them with you." \
        in patient.main_text()

    open_link(patient, "See your answers")
    assert patient.path == "/summary"
    for width, height in ((390, 844), (320, 568)):
        phone.set_viewport_size({"width": width, "height": height})
        assert png_width(screenshots.take(phone, f"summary-{width}")) == width
    axe_check(phone)
    text = patient.main_text()
    assert "mirtazapine (Remeron)" in text and "You are still taking it" in text

    open_link(patient, "Print the summary for your clinician")
    assert patient.path == "/summary/print"
    assert png_width(screenshots.take(phone, "print-320")) == 320  # the sheet on a phone
    axe_check(phone)
    for paper, pages in print_pdfs(phone, "typical").items():
        assert len(pages) == 1, f"{paper}: the typical patient prints on {len(pages)} pages"
        first = pages[0]
        glance = first[first.index("At a glance"):first.index("SAFETY FLAG")]
        for expected in ("25 / 27", "severe", "ASQ positive, non-acute",
                         "Possible treatment-resistant pattern",
                         "3 different antidepressants met the rule; 2 needed",
                         "mirtazapine (Remeron)",
                         "3 for review, 1 of them a label contraindication"):
            assert expected in glance, f"{paper}: the box lacks {expected!r}"
        assert code in first and "not a diagnosis" in first
        assert "Page 1 of" not in first  # page 1 keeps its own header
        assert "Skip to main content" not in first and "Ctrl+P" not in first

    # The print layout as a picture (Chromium's print CSS at A4 text width).
    phone.emulate_media(media="print")
    phone.set_viewport_size({"width": 730, "height": 1000})
    phone.screenshot(path=str(OUTPUT / "sheet-typical-print-media.png"), full_page=True)


def test_nine_trials_print_on_two_pages_with_the_code_and_page_numbers(phone, make_patient):
    patient = make_patient(phone, axe=False, shots=False)
    code = walk_to_summary(patient, TYPICAL, NINE_TRIALS)
    open_link(patient, "Print the summary for your clinician")
    for paper, pages in print_pdfs(phone, "nine").items():
        assert len(pages) == 2, f"{paper}: nine trials print on {len(pages)} pages"
        for entry in NINE_TRIALS:
            dose = f"{entry['dose_mg']} mg"
            holding = [i for i, text in enumerate(pages) if dose in text]
            assert len(holding) == 1, f"{paper}: the {entry['medicine']} row is missing or split"
            assert entry["medicine"] in pages[holding[0]], f"{paper}: {entry['medicine']} split"
        second = pages[1]
        for expected in (f"Reference {code}", "Page 2 of 2", "Screening result, not a diagnosis"):
            assert expected in second, f"{paper}: page 2 lacks {expected!r}"
        assert "Page 1 of 2" not in pages[0]

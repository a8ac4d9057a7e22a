"""It never diagnoses: no rendered patient page or summary uses diagnostic wording."""

import re

import pytest

from screening.domain import flow

DIAGNOSTIC = [
    r"you have (major |mild |moderate |severe )?depression", r"you are depressed",
    r"diagnosed with", r"not eligible", r"you qualify", r"you have treatment[- ]resistant",
    r"you suffer from", r"your diagnosis is", r"you have a .*disorder",
]
# The same in Spanish: every Spanish page is checked against both lists.
DIAGNOSTIC_ES = [
    r"usted tiene (una )?depresi[oó]n", r"tiene depresi[oó]n", r"diagnosticad[oa]",
    r"no es elegible", r"usted est[aá] deprimid[oa]", r"su diagn[oó]stico es",
    r"usted sufre de", r"usted tiene un trastorno", r"usted (califica|cumple los requisitos)",
]

SEVERE = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "yes", "asq_3": "no", "asq_4": "no", "asq_5": "yes", "phq9_10": "3"}


def assert_no_diagnosis(html: str, where: str, phrases=DIAGNOSTIC):
    text = " ".join(re.sub(r"<[^>]+>", " ", html).lower().split())
    for phrase in phrases:
        assert not re.search(phrase, text), f"{where}: {phrase}"


def rendered_pages(client, patient, answers):
    pages = {"start": client.get("/").get_data(as_text=True)}
    patient.begin()
    patient.follow_to_review(answers)
    for step in flow.visible_steps(answers | {"safety_seen": "yes", "help_now_seen": "yes"}):
        pages[step.id] = client.get(f"/step/{step.number}").get_data(as_text=True)
    pages["review"] = client.get("/review").get_data(as_text=True)
    client.post("/submit")
    pages["done"] = client.get("/done").get_data(as_text=True)
    pages["summary"] = client.get("/summary").get_data(as_text=True)
    pages["print"] = client.get("/summary/print").get_data(as_text=True)
    return pages


@pytest.mark.parametrize("answers", [SEVERE, {f"phq9_{i}": "0" for i in range(1, 10)}])
def test_no_page_diagnoses(client, patient, answers):
    pages = rendered_pages(client, patient, answers)
    assert len(pages) >= 14 if answers is SEVERE else len(pages) >= 13
    for where, html in pages.items():
        assert_no_diagnosis(html, where)


def test_result_pages_say_screening_not_diagnosis(client, patient):
    pages = rendered_pages(client, patient, SEVERE)
    for where in ("done", "summary", "print"):
        assert "not a diagnosis" in pages[where], where
    assert "the range the PHQ-9 calls" in pages["print"]


def test_checker_catches_diagnostic_wording():
    with pytest.raises(AssertionError):
        assert_no_diagnosis("<p>You have severe depression.</p>", "sample")


@pytest.mark.parametrize("answers", [SEVERE, {f"phq9_{i}": "0" for i in range(1, 10)}])
def test_no_spanish_page_diagnoses(client, patient, answers):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-US,es;q=0.9"
    pages = rendered_pages(client, patient, answers)
    assert len(pages) >= 13
    for where, html in pages.items():
        # The clinician sheet is in the clinic's language (English here); every other page Spanish.
        assert f'<html lang="{"en" if where == "print" else "es"}">' in html, where
        assert_no_diagnosis(html, where, DIAGNOSTIC + DIAGNOSTIC_ES)


def test_spanish_result_pages_say_screening_not_diagnosis(client, patient):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    pages = rendered_pages(client, patient, SEVERE)
    assert "no un diagnóstico" in pages["done"]
    assert "no un diagnóstico" in pages["summary"]
    # The clinician sheet is in the clinic's language (English here), whatever the patient's.
    assert "the range the PHQ-9 calls" in pages["print"]


@pytest.mark.parametrize("sample", ["<p>Usted tiene depresión grave.</p>",
                                    "<p>Fue <b>diagnosticado</b> con depresión.</p>",
                                    "<p>Usted no es elegible.</p>"])
def test_checker_catches_spanish_diagnostic_wording(sample):
    with pytest.raises(AssertionError):
        assert_no_diagnosis(sample, "muestra", DIAGNOSTIC_ES)

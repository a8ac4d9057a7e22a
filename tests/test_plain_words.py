"""The patient's own screens speak plainly; the clinician sheet they can print keeps its terms.

Clinician terms, and why each is one (an on-screen page the patient reads must carry none):
- "imminent risk", "acute" and "positive screen": the ASQ's risk categories;
- "ASQ" and "Maudsley": instrument names that mean nothing to a patient and label a result;
- "syndrome", "screening-algorithm", "clinical confirmation": the PHQ-9 pattern sentence;
- "contraindication": the esketamine label's wording, read as "you cannot have it";
- "treatment-resistant", "pattern not met", "met the rule": the treatment verdict;
- the PHQ-9 band names used as a category ("moderately severe", "the range the PHQ-9 calls");
  "severe", "moderate", "mild" and "minimal" alone are not listed because the PHQ-9's own answer
  words are patient wording; the band phrase is what labels the person.
The same in Spanish. The clinician sheet (/summary/print) is excluded, and shown to carry them,
so the check can fail.
"""

import re

import pytest

from screening.domain import flow

CLINICIAN_TERMS = [
    "imminent risk", "acute", "positive screen", "asq", "maudsley", "syndrome",
    "screening-algorithm", "clinical confirmation", "contraindication", "treatment-resistant",
    "pattern not met", "met the rule", "moderately severe", "the range the phq-9 calls",
]
CLINICIAN_TERMS_ES = [
    "riesgo inminente", "agudo", "asq", "maudsley", "síndrome", "sindrome", "contraindicación",
    "resistente al tratamiento", "cumplió la regla", "cumplieron la regla", "moderadamente grave",
    "el rango que el phq-9 llama", "confirmación clínica",
]
TRIALS = [
    {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "150", "weeks": "10",
     "adherence": "all", "response": "little", "stopped": "not_helping"},
    {"medicine": "bupropion", "this_episode": "yes", "dose_unknown": "y", "weeks": "8",
     "adherence": "all", "response": "none", "stopped": "side_effects"},
    {"medicine": "venlafaxine", "this_episode": "yes", "dose_mg": "225", "weeks": "12",
     "adherence": "all", "response": "little", "stopped": "still"},
]
# The full severe walk: every PHQ-9 item at 3, an acute ASQ, treatments and label flags.
SEVERE_WALK = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "yes", "asq_3": "no", "asq_4": "yes", "asq_5": "yes",
    "phq9_10": "3", "trials": TRIALS, "augmentation": ["lithium"], "ect": "yes",
    "aneurysm_avm": "yes", "ketamine_allergy": "unsure", "high_blood_pressure": "yes"}


def visible(html: str) -> str:
    """The page's text as read: tags, attributes and the language switch's other name removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).lower().split())


def patient_pages(client, patient) -> dict[str, str]:
    """Every page the patient sees on the full severe walk, from the start to the summary."""
    pages = {"start": client.get("/").get_data(as_text=True)}
    patient.begin()
    assert patient.follow_to_review(SEVERE_WALK).status_code == 200
    shown = SEVERE_WALK | {"safety_seen": "yes", "help_now_seen": "yes"}
    for step in flow.visible_steps(shown):
        pages[step.id] = client.get(f"/step/{step.number}").get_data(as_text=True)
    pages["review"] = client.get("/review").get_data(as_text=True)
    assert client.post("/submit").status_code == 302
    pages["done"] = client.get("/done").get_data(as_text=True)
    pages["summary"] = client.get("/summary").get_data(as_text=True)
    return pages


def terms_on(text: str, terms: list[str]) -> list[str]:
    return [term for term in terms if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text)]


@pytest.mark.parametrize(("accept", "terms"), [
    ("en", CLINICIAN_TERMS), ("es", CLINICIAN_TERMS + CLINICIAN_TERMS_ES)])
def test_no_patient_page_uses_clinician_terms(app, client, patient, accept, terms):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    app.config["CLINIC_LANGUAGE"] = accept
    pages = patient_pages(client, patient)
    assert len(pages) >= 25, sorted(pages)  # every step of a severe walk, review, done, summary
    for where, html in pages.items():
        assert f'<html lang="{accept}">' in html, where
        found = terms_on(visible(html), terms)
        assert not found, f"{where} ({accept}) shows clinician terms: {found}"
    # The clinician sheet, one link away, keeps them: the checker sees them when they are there.
    sheet = visible(client.get("/summary/print").get_data(as_text=True))
    assert {"imminent risk", "contraindication", "asq", "syndrome"} <= set(
        terms_on(sheet, CLINICIAN_TERMS)) or {"riesgo inminente", "contraindicación", "asq",
                                               "síndrome"} <= set(terms_on(sheet, terms))


@pytest.mark.parametrize(("accept", "told", "next_step", "print_link"), [
    ("en", "your answers add up to 27 out of 27. a clinician will go through them with you.",
     "show your reference code", "print the summary for your clinician"),
    ("es", "sus respuestas suman 27 de 27. un clínico las revisará con usted.",
     "muestre su código de referencia", "imprimir el resumen para su clínico"),
])
def test_the_patient_is_told_what_they_answered_and_what_happens_next(
        client, patient, accept, told, next_step, print_link):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    pages = patient_pages(client, patient)
    done, summary = visible(pages["done"]), visible(pages["summary"])
    assert told in done and told in summary
    assert next_step in summary
    assert print_link in done and print_link in summary
    assert 'href="/summary/print"' in pages["summary"] and 'href="/summary/print"' in pages["done"]
    # What they answered: the PHQ-9 items, the safety questions, medicines and health questions.
    for answered in ("sertraline (zoloft)", "venlafaxine (effexor xr)"):
        assert answered in summary
    assert summary.count("nearly every day") + summary.count("casi todos los días") == 9

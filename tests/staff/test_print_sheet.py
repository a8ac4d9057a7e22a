"""Reception's print and the patient's print are one clinician sheet, in the clinic's language,
and pages after the first carry the code, "Page N of M" and "not a diagnosis" in their margins."""

import re

from tests.helpers import REST_OF_FLOW, Patient
from tests.staff.helpers import ACUTE, sign_in
from tests.storage.helpers import displayed_code

ANSWERS = ACUTE | {"trials": [
    {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "150", "weeks": "10",
     "adherence": "all", "response": "little", "stopped": "still"}], "aneurysm_avm": "yes"}


def sheet(html: str) -> str:
    match = re.search(r'<article class="summary".*?</article>', html, flags=re.S)
    assert match, "no clinician sheet on the page"
    return match.group(0)


def finished_patient(app, accept: str = "en") -> tuple[Patient, str]:
    patient = Patient(app.test_client())
    patient.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    assert patient.complete(REST_OF_FLOW | ANSWERS).status_code == 302
    return patient, displayed_code(patient.client.get("/done").get_data(as_text=True))


def public_id(staff_client, code: str) -> str:
    found = staff_client.post("/staff/lookup", data={"code": code})
    assert found.status_code == 303, found.get_data(as_text=True)[:300]
    return found.location.rstrip("/").split("/")[-1]


def test_staff_and_patient_print_the_same_sheet_in_the_clinic_language(
        app, staff_client, make_user):
    app.config["CLINIC_LANGUAGE"] = "en"
    patient, code = finished_patient(app, accept="es")  # the patient answered in Spanish
    sign_in(staff_client, make_user(role="reception"))
    pid = public_id(staff_client, code)
    staff = staff_client.get(f"/staff/submissions/{pid}/print").get_data(as_text=True)
    own = patient.client.get("/summary/print").get_data(as_text=True)
    assert sheet(staff) == sheet(own)
    for page in (staff, own):
        assert '<html lang="en">' in page
        assert "At a glance" in page and "Answered in Spanish" in page
        assert 'href="/static/print.css" media="print"' in page
    assert f'href="/staff/submissions/{pid}/pages.css"' in staff
    assert 'href="/summary/pages.css"' in own


def test_pages_after_the_first_carry_code_page_number_and_not_a_diagnosis(
        app, staff_client, make_user):
    patient, code = finished_patient(app)
    css = patient.client.get("/summary/pages.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "no-store"
    text = css.get_data(as_text=True)
    assert f'@top-left {{ content: "Reference {code[:4]}-{code[4:]}"; }}' in text
    assert '@top-center { content: "Screening result, not a diagnosis"; }' in text
    assert '@top-right { content: "Page " counter(page) " of " counter(pages); }' in text
    first = text[text.index("@page :first"):]
    assert first.count("content: none") == 3  # page 1 keeps its own header: the blank name lines
    sign_in(staff_client, make_user(role="reception"))
    pid = public_id(staff_client, code)
    assert staff_client.get(f"/staff/submissions/{pid}/pages.css").get_data(as_text=True) == text

    app.config["CLINIC_LANGUAGE"] = "es"
    spanish = patient.client.get("/summary/pages.css").get_data(as_text=True)
    assert '"Página " counter(page) " de " counter(pages)' in spanish
    assert '"Resultado de detección, no un diagnóstico"' in spanish


def test_the_pages_stylesheet_needs_the_patient_or_signed_in_staff(app, client, staff_client):
    assert client.get("/summary/pages.css").status_code == 404
    assert client.get("/summary/print").status_code == 302
    response = staff_client.get("/staff/submissions/nope/pages.css")
    assert response.status_code == 302 and response.location.endswith("/staff/login")

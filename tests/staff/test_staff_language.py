"""The staff pages follow CLINIC_LANGUAGE (README): with "es", every page is Spanish."""

import re

import pytest

from tests.staff.helpers import ACUTE, PASSWORD, create_account, current_code

# Interface words of the staff pages: none may be left on a Spanish page.
ENGLISH = [r"\bSign (in|out)\b", r"Today’s queue", r"\bLook up\b", r"\bPrint\b", r"\bStatus\b",
           r"\bAcknowledge", r"\bReception desk\b", r"\bUsername\b", r"\bPassword\b",
           r"\bSafety flag\b", r"\bTreatment pattern\b", r"\bContinue\b", r"\bEnter your\b",
           r"\bcode\b", r"\bNot printed\b", r"\bSigned in as\b", r"\bMonday|Tuesday|Wednesday|"
           r"Thursday|Friday|Saturday|Sunday\b", r"\bFind summary\b", r"\bNo summary\b"]


@pytest.fixture
def spanish_clinic(app):
    app.config["CLINIC_LANGUAGE"] = "es"
    return app


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_spanish(response, where: str) -> None:
    html = response.get_data(as_text=True)
    assert re.search(r'<html lang="es"', html), where
    text = visible(html)
    left = [p for p in ENGLISH if re.search(p, text)]
    assert not left, f"{where}: English left: {left} in {text[:600]}"


def test_every_staff_page_is_spanish_in_a_spanish_clinic(spanish_clinic, staff_client, submit):
    app, client = spanish_clinic, staff_client
    assert_spanish(client.get("/staff/login"), "login")
    user = create_account(app, "carol", "clinician")
    refused = client.post("/staff/login", data={"username": "carol", "password": "wrong"})
    assert_spanish(refused, "login refused")
    assert "No se aceptaron los datos de acceso" in refused.text
    empty = client.post("/staff/login", data={})
    assert "Escriba su nombre de usuario" in empty.text
    client.post("/staff/login", data={"username": "carol", "password": PASSWORD})
    assert_spanish(client.get("/staff/login/code"), "code")
    assert client.post("/staff/login/code", data={"code": current_code(user)}).status_code == 302
    submission = submit(ACUTE)
    queue = client.get("/staff/")
    assert_spanish(queue, "queue")
    assert "Lista de hoy" in queue.text and "Aguda" in queue.text
    assert_spanish(client.get("/staff/lookup"), "lookup")
    assert_spanish(client.post("/staff/lookup", data={"code": "0000-0000"}), "lookup miss")
    assert_spanish(client.get(f"/staff/submissions/{submission.public_id}"), "submission")
    client.post("/staff/logout")
    assert_spanish(client.get("/staff/login"), "signed out")


def test_an_english_clinic_keeps_english_staff_pages(app, staff_client):
    html = staff_client.get("/staff/login").text
    assert '<html lang="en"' in html and "Staff sign-in" in html

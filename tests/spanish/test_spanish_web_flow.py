"""Spanish for patients through the Flask client: every page, the switch, the remembered choice.

The switch is a small POST form (CSRF) on every patient page; it returns to the same page and never
touches the answers or the step. The draft remembers the language; a cookie holding only "en" or
"es" remembers it for visitors without a draft; Accept-Language picks the first default.
"""

import re

import pytest
from spanish_helpers import DIAGNOSTIC_ES, checked_value, html_lang, step_number, visible_text
from sqlalchemy import select

from screening import create_app
from screening.database import db
from screening.domain import flow
from screening.models import Draft, Submission

PHQ9_ES_ITEM_1 = "Poco interés o placer en hacer cosas"
SEVERE = {f"phq9_{i}": "3" for i in range(1, 10)} | {
    "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes", "phq9_10": "2"}
TRIALS = [
    {"medicine": "sertraline", "this_episode": "yes", "dose_mg": "100", "weeks": "8",
     "adherence": "most", "response": "little", "stopped": "not_helping"},
    {"medicine": "other", "other_name": "Fluvoxamina genérica – frasco ámbar",
     "this_episode": "yes", "weeks": "10", "adherence": "all",
     "response": "none",
     "stopped": "side_effects"},
]
TREATED = SEVERE | {"trials": TRIALS, "episode_month": "3", "episode_year": "2024",
                    "psychotherapy": "yes", "psychotherapy_type": "cbt",
                    "psychotherapy_sessions": "6to12", "psychotherapy_response": "little",
                    "aneurysm_avm": "unsure", "high_blood_pressure": "yes"}
# English interface words that must not be left on a Spanish page (outside lang="en" parts).
ENGLISH_LEFTOVERS = [
    r"\bthe\b", r"\byou\b", r"\byour\b", r"\band\b", r"\bContinue\b", r"\bChoose\b",
    r"\bNot answered\b", r"\bQuestion\b", r"\bYes\b", r"\bNot sure\b", r"\bweeks?\b",
    r"\bneeded\b", r"\bAnswered\b", r"\bBegan\b", r"\bCounts\b", r"\bother\b",
]


def spanish_text(html: str) -> str:
    """Visible text minus the parts marked as English (the switch back to English)."""
    html = re.sub(r'<(form|button|section|p|span)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", html,
                  flags=re.S)
    return visible_text(html)


def assert_spanish_page(html: str, where: str) -> None:
    assert html_lang(html) == "es", where
    text = spanish_text(html)
    leftovers = [word for word in ENGLISH_LEFTOVERS if re.search(word, text)]
    assert not leftovers, f"{where}: English left on a Spanish page: {leftovers}\n{text[:3000]}"
    lowered = text.lower()
    for phrase in DIAGNOSTIC_ES:
        assert not re.search(phrase, lowered), f"{where}: {phrase}"


def switch(client, language: str, back_to: str):
    return client.post("/language", data={"language": language, "next": back_to})


def draft_row(app) -> Draft:
    with app.app_context():
        row = db.session.scalar(select(Draft))
        db.session.expunge_all()
        return row


def only_submission(app) -> Submission:
    with app.app_context():
        row = db.session.scalar(select(Submission))
        db.session.expunge_all()
        return row


def walk_pages(client, patient, answers: dict) -> dict[str, str]:
    """Every page a patient sees for `answers`, after finishing, keyed by name."""
    pages = {"start": client.get("/").get_data(as_text=True)}
    patient.begin()
    review = patient.follow_to_review(answers)
    assert review.status_code == 200
    seen = answers | {"safety_seen": "yes", "help_now_seen": "yes", "trials_done": "yes"}
    for step in flow.visible_steps(seen):
        pages[step.id] = client.get(f"/step/{step.number}").get_data(as_text=True)
    trials = step_number("trials")
    pages["trial_new"] = client.get(f"/step/{trials}/item/zz1").get_data(as_text=True)
    pages["review"] = client.get("/review").get_data(as_text=True)
    assert client.post("/submit").status_code == 302
    pages["done"] = client.get("/done").get_data(as_text=True)
    pages["summary"] = client.get("/summary").get_data(as_text=True)
    pages["not_found"] = client.get("/no-such-page").get_data(as_text=True)
    return pages


# --- the default and the remembered choice ----------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), [
    ("es-US,es;q=0.9,en;q=0.5", "es"), ("es-MX", "es"), ("fr-FR, es;q=0.5", "es"),
    ("en-US,en;q=0.9,es;q=0.8", "en"), ("de-DE", "en"), ("", "en"),
])
def test_accept_language_picks_the_first_default(client, accept, expected):
    html = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert html_lang(html) == expected
    assert ("Antes de su primera consulta" in html) == (expected == "es")


def test_a_cookie_remembers_the_choice_for_visitors_without_a_draft(es_client):
    response = switch(es_client, "en", "/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert cookie.split(";")[0] == "lang=en"
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert html_lang(es_client.get("/").get_data(as_text=True)) == "en"


def test_the_language_cookie_holds_only_a_language_code(https_client):
    https_client.get("/")
    https_client.post("/begin")
    response = switch(https_client, "es", "/step/1")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("__Host-lang="))
    assert re.fullmatch(r"__Host-lang=es", cookie.split(";")[0])
    assert "Secure" in cookie and "HttpOnly" in cookie
    https_client.set_cookie("__Host-lang", "<script>", secure=True)  # tampered: ignored, not echoed
    assert html_lang(https_client.get("/step/1").get_data(as_text=True)) == "es"


def test_the_draft_remembers_the_language_over_cookie_and_browser(app, client, patient):
    patient.begin()
    assert draft_row(app).language == "en"
    switch(client, "es", "/step/1")
    assert draft_row(app).language == "es"
    client.delete_cookie("lang")
    html = client.get("/step/1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(html) == "es" and PHQ9_ES_ITEM_1 in html


def test_a_new_draft_starts_in_the_language_in_use(app, es_client, patient):
    patient.begin()
    assert draft_row(app).language == "es"


# --- the whole flow in Spanish ----------------------------------------------------------------

def test_the_whole_flow_in_spanish(app, es_client, patient):
    pages = walk_pages(es_client, patient, TREATED)
    assert len(pages) >= 29
    for where, html in pages.items():
        assert_spanish_page(html, where)
    assert PHQ9_ES_ITEM_1 in pages["phq9_1"]
    assert "Ningún día" in pages["phq9_1"] and "Casi todos los días" in pages["phq9_9"]
    assert "¿Está pensando en suicidarse en este momento?" in pages["asq_5"]
    assert "Llame al 988 y oprima 2" in pages["safety"]
    assert "Envíe AYUDA por mensaje de texto al 741741" in pages["safety"]
    assert "sms:741741?&amp;body=AYUDA" in pages["help_now"]
    assert "Pregunta 1 de 9" in pages["phq9_1"]
    assert "Ha agregado 2 medicamentos" in pages["trials"]
    assert "sertraline (Zoloft)" in pages["trial_new"]  # medicine names as they are
    assert "Otro medicamento (escriba su nombre)" in pages["trial_new"]
    assert "Revise sus respuestas" in pages["review"]
    assert "Fluvoxamina genérica – frasco ámbar" in pages["review"]
    assert "no un diagnóstico" in pages["done"]
    submission = only_submission(app)
    assert submission.language == "es"
    assert submission.instrument_version == "PHQ-9 (formulario de Pfizer en español para EE. UU.)"


def test_free_text_is_stored_as_typed(app, es_client, patient):
    patient.complete(TREATED)
    stored = only_submission(app).answers["trials"]
    assert stored[1]["other_name"] == "Fluvoxamina genérica – frasco ámbar"
    assert stored[0]["medicine"] == "sertraline" and stored[0]["adherence"] == "most"


def test_validation_messages_are_in_spanish(es_client, patient):
    patient.begin()
    html = es_client.post("/step/1", data={}).get_data(as_text=True)
    assert "Hay un problema" in html
    assert f"{PHQ9_ES_ITEM_1} – Elija una respuesta para continuar." in html
    assert "<title>Error: Pregunta 1 de 9" in html
    patient.phq9([0] * 9)
    patient.answer("episode_start", {"episode_range": "gt2y", "earlier_episodes": "no"})
    trials = step_number("trials")
    html = es_client.post(f"/step/{trials}/item/bad1", data={
        "medicine": "other", "weeks": "doce", "dose_mg": "1E5", "this_episode": "yes",
        "adherence": "all", "response": "none", "stopped": "still"}).get_data(as_text=True)
    assert_spanish_page(html, "trial with errors")
    for message in ("Escriba el nombre del otro medicamento.",
                    "Escriba un número usando solo cifras, por ejemplo 100 o 37,5."):
        assert message in html


# --- switching in the middle ------------------------------------------------------------------

def test_switching_language_mid_way_keeps_every_answer_and_the_step(app, client, patient):
    patient.begin()
    patient.phq9([1, 2, 0, 3])
    before = draft_row(app).answers
    response = switch(client, "es", "/step/5")
    assert response.status_code == 302 and response.headers["Location"] == "/step/5"
    html = client.get("/step/5").get_data(as_text=True)
    assert html_lang(html) == "es" and "Pregunta 5 de 9" in html
    assert draft_row(app).answers == before
    assert checked_value(client.get("/step/3").get_data(as_text=True), "phq9_3") == "0"
    patient.phq9([1, 2, 0, 3, 0, 0, 0, 0, 0])
    review = patient.follow_to_review({"phq9_10": "1"}).get_data(as_text=True)
    assert "Varios días" in review and "Casi todos los días" in review
    response = switch(client, "en", "/step/2?change=1")
    assert response.headers["Location"] == "/step/2?change=1"
    html = client.get("/step/2?change=1").get_data(as_text=True)
    assert html_lang(html) == "en" and checked_value(html, "phq9_2") == "2"


def test_switching_on_the_summary_after_sending(client, patient):
    patient.complete(SEVERE)
    english = client.get("/summary").get_data(as_text=True)
    assert "Your answers add up to 27 out of 27." in english
    assert switch(client, "es", "/summary").headers["Location"] == "/summary"
    spanish = client.get("/summary").get_data(as_text=True)
    assert "Sus respuestas suman 27 de 27." in spanish


def test_every_patient_page_carries_the_switch_back_to_itself(es_client, patient):
    pages = walk_pages(es_client, patient, TREATED)
    for where, html in pages.items():
        form = re.search(r'<form class="language-switch" method="post" action="/language">'
                         r'(.*?)</form>', html, flags=re.S)
        assert form, where
        assert 'name="csrf_token"' in form.group(1), where
        assert 'name="language" value="en" lang="en">English</button>' in form.group(1), where
    assert 'name="next" value="/step/1"' in pages["phq9_1"]
    assert 'name="next" value="/summary"' in pages["summary"]
    assert 'name="next" value="/no-such-page"' in pages["not_found"]


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/step/1", "/\\evil.example", "javascript:alert(1)",
    "/no-such-page", "/submit", "/language", "", "step/1",
])
def test_the_switch_only_returns_to_pages_of_this_site(client, target):
    response = switch(client, "es", target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("language", ["fr", "", "ES", "es-MX"])
def test_the_switch_refuses_unknown_languages(client, language):
    assert switch(client, language, "/").status_code == 400


def test_the_switch_needs_the_csrf_token(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert switch(client, "es", "/").status_code == 400
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/language", data={"language": "es", "next": "/",
                                              "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the summary: patient's language, clinic's language ---------------------------------------

def complete_with_episode_date(client, patient, answers: dict) -> None:
    """As `patient.complete`, also giving the month and year the episode began (an optional step
    the helper's shortest path skips)."""
    patient.begin()
    patient.follow_to_review(answers)
    episode = patient.answer("episode_start", {"episode_month": "3", "episode_year": "2024",
                                               "earlier_episodes": "no"}, change=True)
    assert episode.status_code == 302
    assert client.post("/submit").status_code == 302


def test_the_spanish_summary_is_spanish_throughout(app, es_client, patient):
    complete_with_episode_date(es_client, patient, TREATED)
    html = es_client.get("/summary").get_data(as_text=True)
    assert_spanish_page(html, "summary")
    assert "Sus respuestas suman 27 de 27." in visible_text(html)
    app.config["CLINIC_LANGUAGE"] = "es"  # the clinician sheet is in the clinic's language
    html = es_client.get("/summary/print").get_data(as_text=True)
    assert_spanish_page(html, "print")
    text = visible_text(html)
    for expected in (
        "Resumen de la evaluación de detección de depresión",
        "en el rango que el PHQ-9 llama grave",
        PHQ9_ES_ITEM_1, "Casi todos los días (3)",
        "ASQ: resultado positivo agudo (riesgo inminente)",
        "Respondido en español",
        "Comenzó en marzo de 2024",
        "✔ cuenta",
        "contaría si se confirma la dosis",
        "De un vistazo",
        "Posible patrón, dosis sin confirmar — para evaluación del clínico",
        "definición de la FDA de 2019",
        "todos los días o la mayoría de los días",
        "Respondió “no estoy seguro(a)”: aneurisma o malformación arteriovenosa",
        "Elaborado por los doctores Robert L. Spitzer",
        "no es un diagnóstico",
    ):
        assert expected in text, expected


def test_the_clinician_print_is_in_the_clinic_language(app, es_client, patient):
    from screening.summary_sheet import render_summary

    complete_with_episode_date(es_client, patient, TREATED)
    submission = only_submission(app)
    with app.test_request_context("/"):
        english = visible_text(render_summary(submission))
    assert "Little interest or pleasure in doing things" in english
    assert "the range the PHQ-9 calls severe" in english
    assert "Answered in Spanish (questions shown here in English)" in english
    assert "✔ counts" in english
    assert "Began March 2024" in english
    assert "Answered not sure: aneurysm or arteriovenous malformation" in english
    assert "Developed by Drs. Robert L. Spitzer" in english
    assert PHQ9_ES_ITEM_1 not in english and "Respondió" not in english

    app.config["CLINIC_LANGUAGE"] = "es"
    with app.test_request_context("/"):
        spanish = visible_text(render_summary(submission))
    assert "Respondido en español" in spanish and "preguntas mostradas" not in spanish
    assert PHQ9_ES_ITEM_1 in spanish


def test_an_english_patients_summary_is_unchanged(client, patient):
    patient.complete(SEVERE)
    html = client.get("/summary/print").get_data(as_text=True)
    assert html_lang(html) == "en"
    text = visible_text(html)
    assert "Answered in English" in text and "questions shown here" not in text
    assert "Over the last 2 weeks, how often bothered by…" in text


@pytest.mark.parametrize("draft_language", [None, "en", "es", "fr"])
@pytest.mark.parametrize("cookie", [None, "en", "es", "xx"])
@pytest.mark.parametrize("accept", [None, "es-MX,es;q=0.9", "fr, en;q=0.5", "de"])
@pytest.mark.parametrize("path", ["/step/1", "/staff/login"])
def test_the_page_language_is_flask_babel_s(app, draft_language, cookie, accept, path):
    """A step page asks i18n.request_language(); templates ask Flask-Babel. They must agree."""
    from flask import g

    from screening import i18n

    headers = {"Accept-Language": accept} if accept else {}
    if cookie:
        headers["Cookie"] = f"lang={cookie}"
    with app.test_request_context(path, headers=headers):
        g.draft_language = draft_language
        assert i18n.request_language() == i18n.current_language()

"""Two tabs answering the same safety question at the same moment both land in the safety
history, in order; sending early from several tabs at once makes one submission (both backends)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from screening.database import db
from screening.models import Draft, Submission
from tests.helpers import Patient, step_number

TABS = 6


def reach_acuity(app) -> str:
    patient = Patient(app.test_client())
    patient.begin()
    patient.phq9([2] * 9)
    patient.answer("safety", {})
    for item, value in [("asq_1", "yes"), ("asq_2", "no"), ("asq_3", "no"), ("asq_4", "no")]:
        patient.answer(item, {item: value})
    return patient.client.get_cookie("draft").value


def tabs(app, token: str) -> list:
    clients = []
    for _ in range(TABS):
        client = app.test_client()
        client.set_cookie("draft", token)
        clients.append(client)
    return clients


def together(work) -> list:
    barrier = threading.Barrier(TABS, timeout=60)

    def run(index):
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=TABS) as pool:
        return list(pool.map(run, range(TABS), timeout=60))


def test_simultaneous_answers_to_acuity_all_land_in_the_history_in_order(app):
    token = reach_acuity(app)
    clients = tabs(app, token)
    url = f"/step/{step_number('asq_5')}"
    answers = ["yes" if index % 2 else "no" for index in range(TABS)]
    responses = together(lambda i: clients[i].post(url, data={"asq_5": answers[i]}))
    assert all(response.status_code == 302 for response in responses)
    with app.app_context():
        history = db.session.scalars(select(Draft.answers)).one()["safety_history"]
    acuity = [e for e in history if e.get("question") == "asq_5"]
    assert sorted(e["answer"] for e in acuity) == sorted(answers)
    times = [e["at"] for e in history]
    assert times == sorted(times)


def test_simultaneous_early_sends_make_one_submission(app):
    token = reach_acuity(app)
    Patient(tabs(app, token)[0]).answer("asq_5", {"asq_5": "yes"})
    clients = tabs(app, token)
    responses = together(lambda i: clients[i].post("/help-now/send"))
    assert all(r.headers["Location"].endswith("/done") for r in responses)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        assert db.session.scalar(select(Submission.safety_level)) == "acute"

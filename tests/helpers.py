"""Helpers the web tests share: a patient walking the real pages, an HTTPS test client."""

import re

from cryptography.fernet import Fernet
from flask.testing import FlaskClient

from screening.domain import flow

# The answers' encryption key of the test apps and of the gunicorn servers the tests start.
ENCRYPTION_KEY = Fernet.generate_key().decode()


class HttpsClient(FlaskClient):
    """A client whose requests arrive over HTTPS, as they do behind the clinic's TLS proxy."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "https://localhost")
        return super().open(*args, **kwargs)


# Answers for everything after the PHQ-9 and the safety questions: no treatments, no health flags.
MEDICAL_QUESTIONS = ["aneurysm_avm", "brain_bleed", "stroke", "high_blood_pressure",
                     "heart_disease", "psychosis", "bipolar", "substance_use", "ketamine_allergy",
                     "interacting_medicines", "pregnancy", "seizures", "liver", "bladder",
                     "sleep_apnoea_lung"]
REST_OF_FLOW = {
    "episode_range": "gt2y", "earlier_episodes": "no", "augmentation": ["none"],
    "psychotherapy": "no", "ect": "no", "tms": "no", "ketamine_before": "no", "ride_home": "yes",
} | dict.fromkeys(MEDICAL_QUESTIONS, "no")


def step_number(step_id: str) -> int:
    return next(step.number for step in flow.steps() if step.id == step_id)


class Patient:
    """Drives the questionnaire through the Flask client the way a browser would."""

    def __init__(self, client):
        self.client = client

    def begin(self):
        return self.client.post("/begin")

    def answer(self, step_id: str, data: dict | None = None, change: bool = False):
        url = f"/step/{step_number(step_id)}" + ("?change=1" if change else "")
        return self.client.post(url, data=data if data is not None else {step_id: "0"})

    def phq9(self, scores: list[int]):
        for index, value in enumerate(scores, start=1):
            response = self.answer(f"phq9_{index}", {f"phq9_{index}": str(value)})
            assert response.status_code == 302, response.data
        return response

    def add_entries(self, step, entries: list[dict]):
        for index, entry in enumerate(entries):
            response = self.client.post(f"/step/{step.number}/item/test{index}", data=entry)
            assert response.status_code == 302, response.data[:800]

    def follow_to_review(self, answers: dict):
        """Answer whatever step comes next from `answers` (notice steps are acknowledged)."""
        answers = REST_OF_FLOW | answers
        response = self.client.get("/review")
        for _ in range(60):
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/step/" not in location:
                return response
            number = int(re.search(r"/step/(\d+)", location).group(1))
            step = flow.step_by_number(number)
            if step.kind == "repeat":
                self.add_entries(step, answers.get(step.id, []))
            data = {q: answers[q] for q in step.questions if q in answers}
            if step.kind == "notice":
                data = {}
            if step.kind == "repeat":
                data = {} if answers.get(step.id) else {"answer": "none"}
            response = self.client.post(location, data=data)
            assert response.status_code == 302, (step.id, response.data[:500])
            response = self.client.get("/review")
        raise AssertionError("the flow did not reach the review page")

    def complete(self, answers: dict):
        self.begin()
        review = self.follow_to_review(answers)
        assert review.status_code == 200
        return self.client.post("/submit")


def reach_trials(patient) -> int:
    """A mild patient up to the antidepressant list; returns that step's number."""
    patient.begin()
    patient.phq9([2] * 8 + [0])
    patient.answer("phq9_10", {"phq9_10": "1"})
    patient.answer("episode_start", {"episode_month": "3", "episode_year": "2024",
                                     "earlier_episodes": "no"})
    return step_number("trials")

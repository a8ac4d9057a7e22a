"""How much a patient does: screens, taps and keystrokes for three patients on the real pages.

    .venv/bin/python bench/patient_effort.py [--json]

Walks three patients through the app with the Flask test client (JavaScript off, as on a phone
without it), following the server's redirects, and counts what a person does:

* a screen: every page the patient sees (start, each step, each medicine form, the list of
  medicines, check your answers, the done page);
* a tap: every choice (a radio option, an option picked from a list, a box ticked), every
  button or link pressed, and every text field tapped before typing into it;
* a keystroke: every character typed.

The patients: "mild" (PHQ-9 mild, no medicines), "severe" (item 9 above 0: the safety page and the
ASQ, one medicine, talking therapy) and "long history" (the onset's month and year, four
antidepressants, augmentation, therapy, earlier ketamine). DESIGN.md §5: the long history in at
most 28 screens and 80 taps.
"""

import argparse
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from screening import create_app  # noqa: E402
from screening.database import db  # noqa: E402
from screening.domain import flow  # noqa: E402
from screening.domain.questions import all_questions  # noqa: E402

LONG_HISTORY_SCREENS, LONG_HISTORY_TAPS = 28, 80
MEDICAL = ["aneurysm_avm", "brain_bleed", "stroke", "high_blood_pressure", "heart_disease",
           "psychosis", "bipolar", "substance_use", "ketamine_allergy", "interacting_medicines",
           "pregnancy", "seizures", "liver", "bladder", "sleep_apnoea_lung"]
NO_HEALTH_FLAGS = dict.fromkeys(MEDICAL, "no") | {"ride_home": "yes"}
NO_OTHER_TREATMENT = {"psychotherapy": "no", "ect": "no", "tms": "no", "ketamine_before": "no"}


def phq9(scores: list[int], difficulty: str | None) -> dict:
    answers = {f"phq9_{i}": str(v) for i, v in enumerate(scores, start=1)}
    return answers | ({"phq9_10": difficulty} if difficulty else {})


def trial(medicine: str, dose: str, weeks: str, **rest: str) -> dict:
    return {"medicine": medicine, "this_episode": "yes", "dose_mg": dose, "weeks": weeks,
            "adherence": "all", "response": "little", "stopped": "not_helping"} | rest


PATIENTS = {
    "mild": phq9([1, 1, 0, 1, 1, 0, 0, 0, 0], "1") | {
        "episode_range": "lt6", "earlier_episodes": "no", "trials": []}
    | NO_OTHER_TREATMENT | NO_HEALTH_FLAGS,
    "severe": phq9([3, 3, 2, 3, 2, 2, 2, 2, 2], "2") | {
        "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "no",
        "episode_range": "1to2y", "earlier_episodes": "yes",
        "trials": [trial("sertraline", "100", "8")], "augmentation": ["none"],
        "psychotherapy": "yes", "psychotherapy_type": "cbt", "psychotherapy_sessions": "6to12",
        "psychotherapy_response": "little", "ect": "no", "tms": "no", "ketamine_before": "no",
    } | NO_HEALTH_FLAGS,
    "long history": phq9([2, 2, 2, 2, 1, 1, 1, 1, 0], "1") | {
        "episode_month": "3", "episode_year": "2021", "earlier_episodes": "yes",
        "trials": [trial("sertraline", "100", "12"), trial("escitalopram", "20", "8"),
                   trial("venlafaxine", "225", "10", response="somewhat"),
                   trial("bupropion", "", "", stopped="still")],
        "augmentation": ["lithium", "antipsychotic"], "psychotherapy": "yes",
        "psychotherapy_type": "cbt", "psychotherapy_sessions": "gt12",
        "psychotherapy_response": "little", "ect": "no", "tms": "no",
        "ketamine_before": "ketamine", "ketamine_response": "somewhat",
    } | NO_HEALTH_FLAGS,
}


@dataclass
class Effort:
    screens: int = 0
    taps: int = 0
    keystrokes: int = 0
    pages: list[str] = field(default_factory=list)

    def fill(self, answers: dict) -> None:
        """What filling in these answers on one page costs."""
        questions = all_questions()
        for qid, value in answers.items():
            if qid not in questions or value in ("", None, []):
                continue
            if questions[qid].kind in ("text", "integer", "number"):
                self.taps += 1  # into the field
                self.keystrokes += len(value)
            elif isinstance(value, list):
                self.taps += len(value)
            else:
                self.taps += 1


class Walker:
    def __init__(self, client, answers: dict):
        self.client, self.answers, self.effort = client, answers, Effort()

    def see(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.effort.screens += 1
        self.effort.pages.append(url)
        return response.get_data(as_text=True)

    def press(self, url: str, data: dict | None = None) -> str:
        """A button or link that sends a form; returns where the server goes next."""
        self.effort.taps += 1
        response = self.client.post(url, data=data or {})
        assert response.status_code == 302, (url, response.status_code,
                                             response.get_data(as_text=True)[:400])
        return response.headers["Location"]

    def walk(self) -> Effort:
        self.see("/")
        location = self.press("/begin")
        while "/step/" in location:
            number = int(re.search(r"/step/(\d+)", location).group(1))
            step = flow.step_by_number(number)
            html = self.see(location)
            location = self.answer(step, location, one_tap='class="answer-buttons"' in html)
        assert location.endswith("/review"), location
        self.see("/review")
        self.see(self.press("/submit"))
        return self.effort

    def answer(self, step: flow.Step, location: str, one_tap: bool) -> str:
        """One tap when the answers are buttons; else each field, then Continue."""
        if step.kind == "notice":
            return self.press(location)
        if step.kind == "repeat":
            return self.add_medicines(step, location)
        data = {q: self.answers[q] for q in step.questions if q in self.answers}
        if not one_tap:
            self.effort.fill(data)
        return self.press(location, data)

    def add_medicines(self, step: flow.Step, location: str) -> str:
        trials = self.answers["trials"]
        if not trials:
            return self.press(location, {"answer": "none"})
        self.effort.taps += 1  # "Add a medicine"
        form_url = self.client.get(f"/step/{step.number}/item/new").headers["Location"]
        for index, entry in enumerate(trials):
            self.see(form_url)
            self.effort.fill(entry)
            more = index < len(trials) - 1
            form_url = self.press(form_url, entry | ({"then": "another"} if more else {}))
            if more:
                form_url = self.client.get(form_url).headers["Location"]
        self.see(form_url)  # back on the list, with every medicine
        return self.press(form_url)


def measure() -> dict[str, Effort]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "effort",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/effort.db"})
        with app.app_context():
            db.create_all()
        results = {name: Walker(app.test_client(), answers).walk()
                   for name, answers in PATIENTS.items()}
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    results = measure()
    if args.json:
        print(json.dumps({name: {k: v for k, v in asdict(e).items() if k != "pages"}
                          for name, e in results.items()}, indent=2))
    else:
        print(f"{'patient':<14}{'screens':>8}{'taps':>6}{'keystrokes':>12}")
        for name, effort in results.items():
            print(f"{name:<14}{effort.screens:>8}{effort.taps:>6}{effort.keystrokes:>12}")
    long = results["long history"]
    ok = long.screens <= LONG_HISTORY_SCREENS and long.taps <= LONG_HISTORY_TAPS
    print(f"long history target ≤ {LONG_HISTORY_SCREENS} screens and ≤ {LONG_HISTORY_TAPS} taps: "
          f"{'met' if ok else 'NOT met'}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

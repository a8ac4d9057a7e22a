"""A patient's browser for the benchmarks: one cookie jar, real forms with CSRF, timed requests.

`Patient.complete()` starts a questionnaire, follows the server's redirects through every step
(the order comes from the server, never hard-coded), adds medicine trials through
`/step/<n>/item/<id>`, reviews and sends. It remembers what it sent so that `expected_submission()`
can say what the database must hold afterwards.
"""

import random
import re
import threading
import time
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urljoin

import requests
from benchlib import csrf_token

from screening.domain import flow
from screening.domain.questions import all_questions

STEP_PATH = re.compile(r"/step/(\d+)(?:\?.*)?$")
ITEM_PATH = re.compile(r"/step/(\d+)/item/([A-Za-z0-9_-]+)")
DISPLAYED_CODE = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})\b")


class Timings:
    """Latencies per kind of request, shared by many patients' threads."""

    def __init__(self):
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.busy = 0
        self.lock = threading.Lock()

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)


class FlowError(Exception):
    pass


class RandomAnswers:
    """Valid random answers: any PHQ-9 pattern, 0-3 medicine trials, every branch possible."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.questions = all_questions()

    def for_step(self, step: flow.Step) -> dict:
        if step.id == "episode_start":
            earlier = {"earlier_episodes": self._choice("earlier_episodes")}
            if self.rng.random() < 0.5:
                return earlier | {"episode_month": str(self.rng.randint(1, 12)),
                                  "episode_year": str(self.rng.randint(1990, 2025))}
            return earlier | {"episode_range": self._choice("episode_range")}
        if step.id.startswith("asq_"):
            return {step.id: "yes" if self.rng.random() < 0.3 else "no"}
        return {qid: value for qid in step.questions
                if (value := self._answer(qid)) is not None}

    def _choice(self, qid: str) -> str:
        return self.rng.choice([o.value for o in self.questions[qid].all_options])

    def _answer(self, qid: str):
        question = self.questions[qid]
        if qid.startswith("phq9_") and qid != "phq9_10":
            return str(self.rng.randint(0, 3))
        if question.kind == "multi":
            values = [o.value for o in question.options]
            if "none" in values and self.rng.random() < 0.5:
                return ["none"]
            others = [v for v in values if v != "none"]
            return self.rng.sample(others, self.rng.randint(1, min(2, len(others))))
        if question.kind == "checkbox":
            return "y" if self.rng.random() < 0.5 else None
        if question.kind in ("integer", "number"):
            return str(self.rng.randint(int(question.minimum or 0) + 1, 40))
        if question.kind == "text":
            return f"Medicine {self.rng.randint(1, 999)}"
        return self._choice(qid)

    def trials(self) -> list[dict]:
        return [self._trial() for _ in range(self.rng.randint(0, 3))]

    def _trial(self) -> dict:
        trial = {qid: self._choice(qid) for qid in
                 ("medicine", "this_episode", "adherence", "response", "stopped")}
        if trial["medicine"] == "other":
            trial["other_name"] = f"Medicine {self.rng.randint(1, 999)}"
        if self.rng.random() < 0.6:  # else left empty: "not known"
            trial["dose_mg"] = str(self.rng.randint(5, 300))
        if self.rng.random() < 0.7:
            trial["weeks"] = str(self.rng.randint(1, 30))
        return trial


class FixedAnswers(RandomAnswers):
    """A typical patient: the given PHQ-9 scores, "no" to the safety questions, one trial."""

    def __init__(self, phq9: list[int]):
        super().__init__(random.Random(0))
        self.phq9 = phq9

    def for_step(self, step):
        if step.id.startswith("phq9_") and step.id != "phq9_10":
            return {step.id: str(self.phq9[int(step.id.split("_")[1]) - 1])}
        if step.id.startswith("asq_"):
            return {step.id: "no"}
        if step.id == "episode_start":
            return {"episode_range": "1to2y", "earlier_episodes": "no"}
        return {qid: (self._choice(qid) if qid != "augmentation" else ["none"])
                for qid in step.questions}

    def trials(self):
        return [{"medicine": "sertraline", "this_episode": "yes", "dose_mg": "100", "weeks": "8",
                 "adherence": "all", "response": "little", "stopped": "not_helping"}]


class Patient:
    def __init__(self, base: str, answers: RandomAnswers, timings: Timings | None = None,
                 timeout: float = 30):
        self.base = base
        self.answers = answers
        self.timings = timings or Timings()
        self.timeout = timeout
        self.session = requests.Session()
        self.sent_steps: dict[str, dict] = {}
        self.sent_items: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        self.pages: list[tuple[str, str, str]] = []  # (page name, url, html) of every GET
        self.code: str | None = None
        self.submitted = False  # the server accepted the final submit

    # --- HTTP ------------------------------------------------------------------------------------

    def _request(self, kind: str, method: str, url: str, data=None) -> requests.Response:
        url = urljoin(self.base + "/", url)
        for _attempt in range(5):
            started = time.perf_counter()
            response = self.session.request(method, url, data=data, allow_redirects=False,
                                            timeout=self.timeout)
            self.timings.add(kind, time.perf_counter() - started)
            if response.status_code != 503:
                return response
            with self.timings.lock:
                self.timings.busy += 1
            time.sleep(0.5)  # the page said "try again in a moment"; so does the patient
        return response

    def get(self, url: str, name: str) -> requests.Response:
        response = self._request("GET page", "GET", url)
        if response.status_code not in (200, 302):
            raise FlowError(f"GET {url}: {response.status_code}")
        if response.status_code == 200:
            self.pages.append((name, response.url, response.text))
        return response

    def post(self, kind: str, url: str, data: dict, html: str) -> str:
        """POST a form from `html` (its CSRF token added); return where the server redirects."""
        response = self._request(kind, "POST", url, data={**data, "csrf_token": csrf_token(html)})
        if response.status_code != 302:
            raise FlowError(f"POST {url}: {response.status_code} {response.text[:300]!r}")
        return urljoin(response.url, response.headers["Location"])

    # --- the questionnaire -----------------------------------------------------------------------

    def start(self) -> str:
        page = self.get("/", "start")
        return self.post("POST step", "/begin", {}, page.text)

    def complete(self, stop_after: str | None = None) -> None:
        """The whole questionnaire; `stop_after` a step id leaves the patient on that page."""
        location = self.start()
        for _ in range(80):
            match = STEP_PATH.search(location)
            if not match:
                break
            step = flow.step_by_number(int(match.group(1)))
            page = self.get(location, step.id)
            if step.id == stop_after:
                return
            location = self._answer(step, location, page.text)
        else:
            raise FlowError("the questionnaire did not end")
        if not location.endswith("/review"):
            raise FlowError(f"expected the review page, got {location}")
        review = self.get(location, "review")
        done = self.post("POST submit", "/submit", {}, review.text)
        self.submitted = True
        done_page = self.get(done, "done")
        code = DISPLAYED_CODE.search(done_page.text)
        self.code = code.group(1) + code.group(2) if code else None
        self.get("/summary", "summary")

    def _answer(self, step: flow.Step, location: str, html: str) -> str:
        if step.kind == "notice":
            self.sent_steps[step.id] = {}
            return self.post("POST step", location, {}, html)
        if step.kind == "repeat":
            trials = self.answers.trials()
            for trial in trials:
                self._add_item(step, trial)
            html = self.get(location, step.id).text  # the list with the new entries
            self.sent_steps[step.id] = {}
            return self.post("POST step", location, {} if trials else {"answer": "none"}, html)
        data = self.answers.for_step(step)
        self.sent_steps[step.id] = data
        return self.post("POST step", location, data, html)

    def _add_item(self, step: flow.Step, trial: dict) -> None:
        new = self.get(f"/step/{step.number}/item/new", "new item")
        item_url = urljoin(new.url, new.headers["Location"])
        item_id = ITEM_PATH.search(item_url).group(2)
        form = self.get(item_url, "trial form")
        self.post("POST item", item_url, trial, form.text)
        self.sent_items[step.id].append((item_id, trial))

    # --- what the database must hold -------------------------------------------------------------

    def draft_token(self) -> str | None:
        return self.session.cookies.get("draft")

    def expected_submission(self) -> dict:
        draft: dict = {}
        for step_id, data in self.sent_steps.items():
            step = next(s for s in flow.steps() if s.id == step_id)
            if step.kind == "notice":
                draft[step.seen_key] = "yes"
            elif step.kind == "repeat":
                draft[step.done_key] = "yes"
                if self.sent_items[step.id]:  # no entry added: no list stored
                    draft[step.id] = [{**stored(step, trial), "_id": item_id}
                                      for item_id, trial in self.sent_items[step.id]]
            else:
                draft.update(stored(step, data))
        return flow.answers_in_flow(draft)


def stored(step: flow.Step, sent: dict) -> dict:
    """What the app stores for a step's form as sent (screening/forms.py `stored_value`)."""
    questions = all_questions()
    result = {}
    for qid in step.questions:
        value, kind = sent.get(qid), questions[qid].kind
        if kind == "checkbox":
            result[qid] = "y" if value else ""
        elif kind == "multi":
            result[qid] = list(value or [])
        elif value in (None, ""):
            result[qid] = ""
        elif kind == "integer":
            result[qid] = str(int(value))
        elif kind == "number":
            result[qid] = format(Decimal(value).normalize(), "f")
        else:
            result[qid] = str(value)
    for qid, unknown in step.unknown_when_empty.items():
        result[unknown] = "" if result[qid] else "y"
    return result

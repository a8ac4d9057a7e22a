"""A patient's browser for the benchmarks: one cookie jar, real forms with CSRF, timed requests.

The walk through the questionnaire is written once, in `Walk`, without any I/O: its steps are
generators that yield each request to send (`Call`) and receive the server's answer (`Reply`).
Two small drivers send them: `Patient` with `requests`, one patient at a time or one per thread
(bench/load.py, bench/page_weight.py, bench/lighthouse.py), and `AsyncPatient` with aiohttp, so
that a thousand patients can be coroutines of one event loop that costs the machine little CPU
(bench/load.py --realistic).

`complete()` starts a questionnaire, follows the server's redirects through every step (the order
comes from the server, never hard-coded), adds medicine trials through `/step/<n>/item/<id>`,
reviews and sends. The patient remembers what it sent so that `expected_submission()` can say what
the database must hold afterwards.
"""

import asyncio
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urljoin

import aiohttp
import requests
from benchlib import csrf_token

from screening.domain import flow
from screening.domain.questions import all_questions

STEP_PATH = re.compile(r"/step/(\d+)(?:\?.*)?$")
ITEM_PATH = re.compile(r"/step/(\d+)/item/([A-Za-z0-9_-]+)")
DISPLAYED_CODE = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})\b")
TRIES, BUSY_PAUSE = 5, 0.5  # a 503 "busy" page: the patient tries again a moment later


class Timings:
    """Latencies per kind of request, shared by many patients' threads or coroutines."""

    def __init__(self):
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.busy = 0
        self.lock = threading.Lock()

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)

    def add_busy(self) -> None:
        with self.lock:
            self.busy += 1


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


@dataclass(frozen=True, slots=True)
class Call:
    """A request the walk wants sent, as a browser sends it: redirects are not followed."""

    kind: str  # "GET page", "POST step", "POST item" or "POST submit": how it is timed
    method: str
    url: str  # absolute
    form: list[tuple[str, str]] | None = None  # a POST's fields, in order, repeated for a list


@dataclass(frozen=True, slots=True)
class Reply:
    """What the walk needs of the server's answer."""

    status: int
    location: str  # the Location header as sent, "" without one
    text: str


Steps = Generator[Call, Reply, "str | Reply | None"]


class Walk:
    """A patient's way through the questionnaire and what it sent, without I/O.

    Each step is a generator: it yields a `Call`, gets the `Reply` sent back into it, and returns
    its result. A driver (`Patient`, `AsyncPatient`) sends the calls and adds the cookies.
    """

    keep_pages = True  # the HTML of every page, for bench/page_weight.py

    def __init__(self, base: str, answers: RandomAnswers):
        self.base = base
        self.answers = answers
        self.sent_steps: dict[str, dict] = {}
        self.sent_items: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        self.pages: list[tuple[str, str, str]] = []  # (page name, url, html) of every GET
        self.code: str | None = None
        self.submitted = False  # the server accepted the final submit

    # --- one request -----------------------------------------------------------------------------

    def get_page(self, url: str, name: str) -> Steps:
        url = urljoin(self.base + "/", url)
        reply = yield Call("GET page", "GET", url)
        if reply.status not in (200, 302):
            raise FlowError(f"GET {url}: {reply.status}")
        if reply.status == 200 and self.keep_pages:
            self.pages.append((name, url, reply.text))
        return reply

    def post_form(self, kind: str, url: str, data: dict, html: str) -> Steps:
        """POST a form from `html` (its CSRF token added); return where the server redirects."""
        url = urljoin(self.base + "/", url)
        reply = yield Call(kind, "POST", url, form_fields(data, csrf_token(html)))
        if reply.status != 302:
            raise FlowError(f"POST {url}: {reply.status} {reply.text[:300]!r}")
        return urljoin(url, reply.location)

    # --- the questionnaire -----------------------------------------------------------------------

    def begin(self) -> Steps:
        """The start page and its button; returns the first step's address."""
        page = yield from self.get_page("/", "start")
        return (yield from self.post_form("POST step", "/begin", {}, page.text))

    def walk(self, stop_after: str | None = None) -> Steps:
        """The whole questionnaire; `stop_after` a step id leaves the patient on that page."""
        location = yield from self.begin()
        for _ in range(80):
            match = STEP_PATH.search(location)
            if not match:
                break
            step = flow.step_by_number(int(match.group(1)))
            page = yield from self.get_page(location, step.id)
            if step.id == stop_after:
                return None
            location = yield from self._answer(step, location, page.text)
        else:
            raise FlowError("the questionnaire did not end")
        if not location.endswith("/review"):
            raise FlowError(f"expected the review page, got {location}")
        review = yield from self.get_page(location, "review")
        done = yield from self.post_form("POST submit", "/submit", {}, review.text)
        self.submitted = True
        done_page = yield from self.get_page(done, "done")
        code = DISPLAYED_CODE.search(done_page.text)
        self.code = code.group(1) + code.group(2) if code else None
        yield from self.get_page("/summary", "summary")
        return None

    def _answer(self, step: flow.Step, location: str, html: str) -> Steps:
        if step.kind == "notice":
            self.sent_steps[step.id] = {}
            return (yield from self.post_form("POST step", location, {}, html))
        if step.kind == "repeat":
            trials = self.answers.trials()
            for trial in trials:
                yield from self._add_item(step, trial)
            listed = yield from self.get_page(location, step.id)  # the list with the new entries
            self.sent_steps[step.id] = {}
            return (yield from self.post_form("POST step", location,
                                              {} if trials else {"answer": "none"}, listed.text))
        data = self.answers.for_step(step)
        self.sent_steps[step.id] = data
        return (yield from self.post_form("POST step", location, data, html))

    def _add_item(self, step: flow.Step, trial: dict) -> Steps:
        new_url = urljoin(self.base + "/", f"/step/{step.number}/item/new")
        new = yield from self.get_page(new_url, "new item")
        item_url = urljoin(new_url, new.location)
        item_id = ITEM_PATH.search(item_url).group(2)
        form = yield from self.get_page(item_url, "trial form")
        yield from self.post_form("POST item", item_url, trial, form.text)
        self.sent_items[step.id].append((item_id, trial))
        return None

    # --- what the database must hold -------------------------------------------------------------

    def draft_token(self) -> str | None:
        raise NotImplementedError  # the driver holds the cookies

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


def form_fields(data: dict, token: str) -> list[tuple[str, str]]:
    """A form's fields as a browser sends them: one per value (a list's name repeated for each of
    its values, a None left out), then the CSRF token."""
    fields = [(name, item) for name, value in data.items()
              for item in (value if isinstance(value, list) else [value]) if item is not None]
    return [*fields, ("csrf_token", token)]


class Patient(Walk):
    """The walk sent with `requests`: blocking, one patient at a time per thread. With `address`
    (a 127.x.y.z) its connections come from that loopback address, as from a phone of its own."""

    def __init__(self, base: str, answers: RandomAnswers, timings: Timings | None = None,
                 timeout: float = 30, address: str | None = None):
        super().__init__(base, answers)
        self.timings = timings or Timings()
        self.timeout = timeout
        self.session = requests.Session()
        if address:
            self.session.mount("http://", FromAddress(address))

    def start(self) -> str:
        """Only the start page and its button; returns the first step's address."""
        return self._drive(self.begin())

    def complete(self, stop_after: str | None = None) -> None:
        """The whole questionnaire; `stop_after` a step id leaves the patient on that page."""
        self._drive(self.walk(stop_after))

    def _drive(self, steps: Steps):
        reply = None
        while True:
            try:
                call = steps.send(reply)
            except StopIteration as finished:
                return finished.value
            reply = self._request(call)

    def _request(self, call: Call) -> Reply:
        for attempt in range(1, TRIES + 1):
            started = time.perf_counter()
            response = self.session.request(call.method, call.url, data=call.form,
                                            allow_redirects=False, timeout=self.timeout)
            self.timings.add(call.kind, time.perf_counter() - started)
            if response.status_code != 503 or attempt == TRIES:
                break
            self.timings.add_busy()
            time.sleep(BUSY_PAUSE)  # the page said "try again in a moment"; so does the patient
        return Reply(response.status_code, response.headers.get("Location", ""), response.text)

    def draft_token(self) -> str | None:
        return self.session.cookies.get("draft")


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections made from one local address."""

    def __init__(self, address: str):
        self.address = address  # before the pool manager is made
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


class AsyncPatient(Walk):
    """The walk sent with aiohttp: a coroutine, so one event loop can hold many patients.

    Each patient is a phone of its own: its own cookie jar, and its own connections, made from
    `address` (any 127.x.y.z is this machine's loopback on Linux), which is the address the server
    sees and counts new questionnaires by. The pages' HTML is not kept.
    """

    keep_pages = False

    def __init__(self, base: str, answers: RandomAnswers, timings: Timings, address: str,
                 timeout: float = 30):
        super().__init__(base, answers)
        self.timings = timings
        self.address = address
        self.timeout = timeout
        self.cookies: aiohttp.CookieJar | None = None
        self._session: aiohttp.ClientSession | None = None

    async def complete(self) -> None:
        """The whole questionnaire, over connections of this patient's own."""
        self.cookies = aiohttp.CookieJar(unsafe=True)  # unsafe: keeps cookies of an IP address
        connector = aiohttp.TCPConnector(local_addr=(self.address, 0))
        async with aiohttp.ClientSession(
                connector=connector, cookie_jar=self.cookies,
                timeout=aiohttp.ClientTimeout(total=self.timeout)) as self._session:
            await self._drive(self.walk())

    async def _drive(self, steps: Steps):
        reply = None
        while True:
            try:
                call = steps.send(reply)
            except StopIteration as finished:
                return finished.value
            reply = await self._request(call)

    async def _request(self, call: Call) -> Reply:
        for attempt in range(1, TRIES + 1):
            started = time.perf_counter()
            async with self._session.request(call.method, call.url, data=call.form,
                                             allow_redirects=False) as response:
                body = await response.read()
            self.timings.add(call.kind, time.perf_counter() - started)
            if response.status != 503 or attempt == TRIES:
                break
            self.timings.add_busy()
            await asyncio.sleep(BUSY_PAUSE)
        return Reply(response.status, response.headers.get("Location", ""),
                     body.decode("utf-8", "replace"))

    def draft_token(self) -> str | None:
        return next((cookie.value for cookie in self.cookies or () if cookie.key == "draft"),
                    None)


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

"""Small helpers shared by the storage tests (no fixtures here)."""

import re
from html.parser import HTMLParser

from screening.domain import flow
from screening.domain.questions import all_questions

CROCKFORD_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")
DISPLAYED_CODE = re.compile(r'<p class="code"[^>]*>.*?([0-9A-Z]{4}-[0-9A-Z]{4})\s*</p>', re.S)


def _valid_answer(question) -> str:
    """Some valid answer for any question; "no" where offered, to keep follow-up steps short."""
    options = tuple(getattr(question, "all_options", ())) or tuple(question.options)
    values = [option.value for option in options]
    if values:
        return "no" if "no" in values else values[0]
    minimum = getattr(question, "minimum", None)
    return str(int(minimum)) if minimum is not None else "1"


def full_answers() -> dict:
    """Answers to every question: PHQ-9 above 0 with item 9 positive, so the safety pathway
    (safety notice, ASQ 1-4) is walked, but no acute ASQ; everything else some valid answer."""
    answers = {qid: _valid_answer(question) for qid, question in all_questions().items()}
    answers.update({f"phq9_{n}": str(value)
                    for n, value in zip(range(1, 10), [1, 2, 3, 0, 1, 2, 3, 0, 1], strict=True)})
    answers.update({"phq9_10": "1", "asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no"})
    return answers


class PostRecorder:
    """Wraps a test client's `post` to remember what the browser sent to each step."""

    STEP_URL = re.compile(r"^/step/(\d+)(\?.*)?$")

    def __init__(self, client):
        self.posts: list[tuple[str, dict]] = []
        self._post = client.post
        client.post = self.post

    def post(self, url, *args, **kwargs):
        response = self._post(url, *args, **kwargs)
        if response.status_code == 302:  # saved: the server accepted this step
            self.posts.append((url, dict(kwargs.get("data") or {})))
        return response

    def sent_answers(self) -> dict:
        """The answers of every accepted plain step, as sent; 'yes' for each notice seen."""
        questions = all_questions()
        sent: dict = {}
        for url, data in self.posts:
            match = self.STEP_URL.match(url)
            if not match:
                continue
            step = flow.step_by_number(int(match.group(1)))
            if step.kind == "notice":
                sent[step.seen_key] = "yes"
            elif step.kind == "questions":
                for qid in step.questions:
                    value = data.get(qid)
                    if value in (None, "", []):
                        sent.pop(qid, None)
                    elif questions[qid].kind == "multi":
                        sent[qid] = value if isinstance(value, list) else [value]
                    else:
                        sent[qid] = value
        return sent


def unchecked_keys() -> set[str]:
    """Keys a step of a kind other than questions or notice (a repeatable list) may store."""
    keys: set[str] = set()
    for step in flow.steps():
        if step.kind not in ("questions", "notice"):
            keys.update({step.id, f"{step.id}_done", *step.questions})
    return keys


def displayed_code(html: str) -> str:
    match = DISPLAYED_CODE.search(html)
    assert match, "no reference code on the page"
    return match.group(1).replace("-", "")


class _Radios(HTMLParser):
    def __init__(self):
        super().__init__()
        self.radios: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "radio":
            self.radios.append(attributes)


def checked_values(html: str, name: str) -> list[str]:
    """The values of the radios named `name` that the page renders as checked."""
    parser = _Radios()
    parser.feed(html)
    named = [radio for radio in parser.radios if radio.get("name") == name]
    assert named, f"no radio named {name} on the page"
    return [radio["value"] for radio in named if "checked" in radio]

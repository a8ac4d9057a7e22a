"""How a questionnaire step's page is rendered, and why most are rendered once per worker.

A step GET is the request a patient makes most, and DESIGN.md §5 allows it half the throughput of
a bare Flask "hello world". On a page of radio buttons, or a notice, the patient appears in exactly
two places: the CSRF token and which options are checked. Everything else on it (wording, progress,
back link, crisis panel, language switch) is the same for everyone at that point of the
questionnaire in that language, and all of that is in `StepPage`. So such a page is rendered by its
usual template once per `StepPage`, with a placeholder token and nothing checked, and kept in a
bounded per-worker cache; a request then puts in its own token and checks its own answers.

The cache holds no patient data: its keys and pages are built from a StepPage, never from answers.
A POST, a page with errors, and any step with text, number or list fields is rendered directly.
tests/test_step_pages.py shows the filled-in page identical, byte for byte, to a direct render.
"""

import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, current_app, render_template
from markupsafe import escape

from .crisis import resources as crisis_resources
from .domain import flow
from .domain.questions import all_questions
from .forms import ConfirmForm, form_class
from .sessions import csrf_token

# Steps x languages x progress and back-link variants is a few hundred; odd query strings in the
# path only ever evict, never grow the cache.
CACHED_PAGES = 512
_TOKEN_SLOT = f"csrf-token-slot-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class StepPage:
    """Everything a step's page shows apart from its form."""

    number: int
    language: str
    change: bool
    progress: str
    back_url: str
    path: str  # this page's URL, which the language switch returns to

    @property
    def step(self) -> flow.Step:
        return flow.step_by_number(self.number, self.language)


def init_app(app: Flask) -> None:
    app.extensions["step_pages"] = lru_cache(maxsize=CACHED_PAGES)(_blank_page)


def render(page: StepPage, form, entries=None, busy: bool = False) -> str:
    """The page rendered directly by its template, with this form as it stands."""
    step = page.step
    context = {
        "step": step, "form": form, "change": page.change, "progress": page.progress,
        "back_url": page.back_url, "busy": busy,
        "section": flow.sections(step.language)[step.section],
        "crisis": crisis_resources(current_app.config["CRISIS_RESOURCES_FILE"], step.language),
        "questions": all_questions(step.language),
        "entries": entries,
    }
    return render_template(_templates(step), **context)


def has_blank_page(step: flow.Step) -> bool:
    """True when the patient's answers on this step can only be checked radio buttons."""
    if step.kind == "notice":
        return True
    questions = all_questions()
    return step.kind == "questions" and all(questions[q].kind == "choice" for q in step.questions)


def render_filled(page: StepPage, answers: dict) -> str:
    """The cached blank page with this request's CSRF token and the patient's answers checked."""
    html = current_app.extensions["step_pages"](page).replace(_TOKEN_SLOT, csrf_token())
    for name in page.step.questions:
        if isinstance(answers.get(name), str):
            option = f' name="{escape(name)}" value="{escape(answers[name])}"'
            html = html.replace(option, option + " checked", 1)
    return html


def _blank_page(page: StepPage) -> str:
    step = page.step
    form = ConfirmForm() if step.kind == "notice" else form_class(step)()
    # This request's token (one per request, in the form and the language switch) becomes the slot.
    return render(page, form).replace(csrf_token(), _TOKEN_SLOT)


def _templates(step: flow.Step) -> list[str]:
    return {
        "notice": [f"patient/notice_{step.id}.html"],
        "repeat": [f"patient/repeat_{step.id}.html", "patient/repeat.html"],
    }.get(step.kind, [f"patient/step_{step.section}.html", "patient/step.html"])

"""The patient's questionnaire: start, check your answers, submit, summary (steps: patient_steps).

Every step is POST, save, redirect, GET, so a reload, Back or a closed browser loses nothing.
Every page is in the patient's language (i18n.py); the switch on every page changes it without
touching the answers or the step.
"""

from urllib.parse import parse_qs, urlsplit

import segno
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from . import i18n, store
from .crisis import resources as crisis_resources
from .domain import codes, flow, summary
from .forms import ConfirmForm
from .presenter import review_rows
from .summary_view import summary_context

bp = Blueprint("patient", __name__)


@bp.before_request
def load_draft():
    """The patient's draft, read once per request; its language beats the cookie (i18n.py)."""
    g.draft = store.find_draft(draft_token(), current_app.config["DRAFT_RETENTION_HOURS"])
    g.draft_language = g.draft.language if g.draft else None


def page_language() -> str:
    return i18n.request_language()


def draft_token() -> str | None:
    return request.cookies.get(current_app.config["DRAFT_COOKIE_NAME"])


def current_draft() -> store.DraftState | None:
    return g.draft


def _with_draft_cookie(response, token: str):
    response.set_cookie(
        current_app.config["DRAFT_COOKIE_NAME"], token,
        max_age=current_app.config["DRAFT_RETENTION_HOURS"] * 3600,
        httponly=True, samesite="Lax", secure=request.is_secure,
    )
    return response


def go_to(step: flow.Step | None, change: bool = False):
    if step is None:
        return redirect(url_for("patient.review"))
    return redirect(url_for("patient.step", number=step.number, change=1 if change else None))


@bp.get("/")
def start():
    draft = current_draft()
    finished = store.submission_for_draft(draft_token())
    has_answers = bool(draft and draft.answers) and not finished
    return render_template("patient/start.html", form=ConfirmForm(), has_answers=has_answers,
                           finished=finished, crisis=crisis())


@bp.post("/begin")
def begin():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token, draft = draft_token(), current_draft()
    if draft is None or draft.submitted:
        token = store.new_draft_token()
        save_or_busy(lambda: store.create_draft(token, language=page_language()))
    draft = store.find_draft(token, current_app.config["DRAFT_RETENTION_HOURS"])
    target = flow.Path(draft.answers).first_incomplete() or flow.steps()[0]
    return _with_draft_cookie(go_to(target), token)


@bp.post("/restart")
def restart():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not store.submission_for_draft(draft_token()):
        save_or_busy(lambda: store.discard_draft(draft_token()))
    token = store.new_draft_token()
    save_or_busy(lambda: store.create_draft(token, language=page_language()))
    return _with_draft_cookie(go_to(flow.steps()[0]), token)


@bp.post("/language")
def set_language():
    """Switch language and return to the same page: answers, step and draft stay as they were."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    language = i18n.supported(request.form.get("language"))
    if language is None:
        abort(400)
    if current_draft() is not None:
        save_or_busy(lambda: store.set_draft_language(draft_token(), language))
    response = redirect(_return_to(request.form.get("next", "")))
    return i18n.set_language_cookie(response, language)


def _return_to(target: str) -> str:
    """A page of this site that can be fetched with GET (only ?change=1 is kept); else the start."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in target:
        return url_for("patient.start")
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return url_for("patient.start")
    change = parse_qs(parts.query).get("change") == ["1"]
    return parts.path + ("?change=1" if change else "")


@bp.get("/review")
def review():
    draft = current_draft()
    if draft is None or draft.submitted:
        return redirect(url_for("patient.start"))
    missing = flow.Path(draft.answers).first_incomplete()
    if missing:
        return go_to(missing)
    return render_template("patient/review.html", rows=review_rows(draft.answers, page_language()),
                           form=ConfirmForm())


@bp.post("/submit")
def submit():
    token = draft_token()
    existing = store.submission_for_draft(token)
    if existing:
        return redirect(url_for("patient.done"))
    draft = current_draft()
    if draft is None:
        return redirect(url_for("patient.start"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    missing = flow.Path(draft.answers).first_incomplete()
    if missing:
        return go_to(missing)
    try:
        store.submit(token, draft)
    except store.StorageBusy:
        abort(503)
    return redirect(url_for("patient.done"))


@bp.get("/done")
def done():
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    return render_template("patient/done.html", code=codes.display(submission.code),
                           form=ConfirmForm(),
                           qr_svg=qr_svg(submission.code), crisis=crisis(),
                           summary=summary.build(submission.answers, submission.created_at.date(),
                                                 page_language()))


@bp.post("/forget")
def forget():
    """A shared phone: remove this questionnaire from it; the clinic keeps what was sent."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not store.submission_for_draft(draft_token()):
        save_or_busy(lambda: store.discard_draft(draft_token()))
    response = current_app.make_response(render_template("patient/forgotten.html"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.delete_cookie(current_app.config["DRAFT_COOKIE_NAME"], httponly=True,
                           samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/summary")
def patient_summary():
    """The summary in the patient's own language (the clinician print is in the clinic's)."""
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    with i18n.in_language(page_language()) as language:
        return render_template("patient/summary.html", crisis=crisis(),
                               **summary_context(submission, language))


def crisis() -> dict:
    return crisis_resources(current_app.config["CRISIS_RESOURCES_FILE"], page_language())


def save_or_busy(write) -> None:
    try:
        write()
    except store.StorageBusy:
        abort(503)


def qr_svg(code: str) -> str:
    return segno.make(code, error="m", micro=False).svg_inline(
        scale=6, dark="#000", light="#fff", title=_("Reference code as a QR code")
    )


# The step pages live in their own module on this blueprint.
from . import patient_steps  # noqa: E402, F401

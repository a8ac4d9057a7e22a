"""The patient's questionnaire: start, one step per screen, check your answers, submit, summary.

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
from .domain.questions import all_questions
from .forms import ConfirmForm, NoticeForm, form_class, form_data
from .presenter import repeat_entries, review_rows
from .summary_view import summary_context

bp = Blueprint("patient", __name__)


@bp.before_request
def load_draft():
    """The patient's draft, read once per request; its language beats the cookie (i18n.py)."""
    g.draft = store.find_draft(_token(), current_app.config["DRAFT_RETENTION_HOURS"])
    g.draft_language = g.draft.language if g.draft else None


def _language() -> str:
    return i18n.current_language()


def _token() -> str | None:
    return request.cookies.get(current_app.config["DRAFT_COOKIE_NAME"])


def _draft():
    # After a write the session expires the object, so reading it again fetches fresh answers.
    return g.draft


def _with_draft_cookie(response, token: str):
    response.set_cookie(
        current_app.config["DRAFT_COOKIE_NAME"], token,
        max_age=current_app.config["DRAFT_RETENTION_HOURS"] * 3600,
        httponly=True, samesite="Lax", secure=request.is_secure,
    )
    return response


def _go_to(step: flow.Step | None, change: bool = False):
    if step is None:
        return redirect(url_for("patient.review"))
    return redirect(url_for("patient.step", number=step.number, change=1 if change else None))


@bp.get("/")
def start():
    draft = _draft()
    finished = store.submission_for_draft(_token())
    has_answers = bool(draft and draft.answers) and not finished
    return render_template("patient/start.html", form=ConfirmForm(), has_answers=has_answers,
                           finished=finished, crisis=_crisis())


@bp.post("/begin")
def begin():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = _token()
    if _draft() is None or store.submission_for_draft(token):
        token = store.new_draft_token()
        _save_or_busy(lambda: store.create_draft(token, language=_language()))
    draft = store.find_draft(token, current_app.config["DRAFT_RETENTION_HOURS"])
    target = flow.first_incomplete(draft.answers) or flow.steps()[0]
    return _with_draft_cookie(_go_to(target), token)


@bp.post("/restart")
def restart():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not store.submission_for_draft(_token()):
        _save_or_busy(lambda: store.discard_draft(_token()))
    token = store.new_draft_token()
    _save_or_busy(lambda: store.create_draft(token, language=_language()))
    return _with_draft_cookie(_go_to(flow.steps()[0]), token)


@bp.post("/language")
def set_language():
    """Switch language and return to the same page: answers, step and draft stay as they were."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    language = i18n.supported(request.form.get("language"))
    if language is None:
        abort(400)
    if _draft() is not None:
        _save_or_busy(lambda: store.set_draft_language(_token(), language))
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


@bp.route("/step/<int:number>", methods=["GET", "POST"])
def step(number: int):
    draft, current = _draft(), flow.step_by_number(number, _language())
    if draft is None or store.submission_for_draft(_token()):
        return redirect(url_for("patient.start"))
    if current is None:
        abort(404)
    change = request.args.get("change") == "1"
    blocked = _must_answer_first(current, draft.answers)
    if blocked:
        return _go_to(blocked, change)
    form = _form_for(current, draft.answers)
    if form.validate_on_submit():
        try:
            store.save_answers(_token(), _answers_from(current, form))
        except store.StorageBusy:
            return _render_step(current, form, draft.answers, change, status=503)
        answers = _draft().answers
        following = flow.first_incomplete(answers) if change else flow.next_step(current, answers)
        return _go_to(following, change)
    status = 400 if request.method == "POST" else 200
    return _render_step(current, form, draft.answers, change, status=status)


def _must_answer_first(current: flow.Step, answers: dict) -> flow.Step | None:
    """A step the patient has not reached yet, or no longer needs, sends them where they belong."""
    first_open = flow.first_incomplete(answers)
    if not current.applies(answers):
        return first_open
    if first_open is not None and first_open.number < current.number:
        return first_open
    return None


def _form_for(current: flow.Step, answers: dict):
    if current.kind == "notice":
        return NoticeForm()
    if current.kind == "repeat":
        return ConfirmForm()
    return _step_form(current, answers)


def _step_form(current: flow.Step, stored: dict):
    # On POST only what was sent counts: stored values must not fill in a field the patient cleared.
    if request.method == "POST":
        return form_class(current)()
    return form_class(current)(data=form_data(current, stored))


def _answers_from(current: flow.Step, form) -> dict:
    if current.kind == "notice":
        return {current.seen_key: "yes"}
    if current.kind == "repeat":
        return {current.done_key: "yes"}
    return form.answers()


def _render_step(current, form, answers, change, status=200):
    back = flow.previous_step(current, answers)
    context = {
        "step": current, "form": form, "change": change,
        "section": flow.sections(current.language)[current.section],
        "progress": flow.progress_text(current, answers, current.language),
        "back_url": url_for("patient.review") if change else (
            url_for("patient.step", number=back.number) if back else url_for("patient.start")),
        "crisis": _crisis(),
        "questions": all_questions(current.language),
        "busy": status == 503,
    }
    names = {
        "notice": [f"patient/notice_{current.id}.html"],
        "repeat": [f"patient/repeat_{current.id}.html", "patient/repeat.html"],
    }.get(current.kind, [f"patient/step_{current.section}.html", "patient/step.html"])
    if current.kind == "repeat":
        context["entries"] = repeat_entries(current, answers)
    response = current_app.make_response((render_template(names, **context), status))
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


@bp.route("/step/<int:number>/item/<item_id>", methods=["GET", "POST"])
def repeat_item(number: int, item_id: str):
    """Add or edit one entry of a repeating step, such as one antidepressant trial."""
    draft, current = _draft(), flow.step_by_number(number, _language())
    if draft is None or store.submission_for_draft(_token()):
        return redirect(url_for("patient.start"))
    if current is None or current.kind != "repeat" or not _valid_item_id(item_id):
        abort(404)
    if item_id == "new":
        return redirect(url_for("patient.repeat_item", number=number,
                                item_id=store.new_item_id(), change=_change_arg()))
    existing = next((e for e in draft.answers.get(current.id, []) if e["_id"] == item_id), {})
    form = _step_form(current, existing)
    if form.validate_on_submit():
        try:
            store.save_repeat_item(_token(), current.id, item_id, form.answers())
        except store.StorageBusy:
            return _render_item(current, form, existing, status=503)
        return redirect(url_for("patient.step", number=number, change=_change_arg()))
    return _render_item(current, form, existing, status=400 if request.method == "POST" else 200)


@bp.post("/step/<int:number>/item/<item_id>/remove")
def remove_repeat_item(number: int, item_id: str):
    current = flow.step_by_number(number)
    if _draft() is None or current is None or current.kind != "repeat":
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _save_or_busy(lambda: store.save_repeat_item(_token(), current.id, item_id, None))
    return redirect(url_for("patient.step", number=number, change=_change_arg()))


def _valid_item_id(item_id: str) -> bool:
    return item_id == "new" or (len(item_id) <= 16 and item_id.replace("-", "").replace(
        "_", "").isalnum())


def _change_arg():
    return 1 if request.args.get("change") == "1" else None


def _render_item(current, form, existing, status=200):
    context = {
        "step": current, "form": form, "editing": bool(existing), "busy": status == 503,
        "questions": all_questions(current.language),
        "section": flow.sections(current.language)[current.section],
        "back_url": url_for("patient.step", number=current.number, change=_change_arg()),
    }
    response = current_app.make_response(
        (render_template("patient/repeat_item.html", **context), status))
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/review")
def review():
    draft = _draft()
    if draft is None or store.submission_for_draft(_token()):
        return redirect(url_for("patient.start"))
    missing = flow.first_incomplete(draft.answers)
    if missing:
        return _go_to(missing)
    return render_template("patient/review.html", rows=review_rows(draft.answers, _language()),
                           form=ConfirmForm())


@bp.post("/submit")
def submit():
    token = _token()
    existing = store.submission_for_draft(token)
    if existing:
        return redirect(url_for("patient.done"))
    draft = _draft()
    if draft is None:
        return redirect(url_for("patient.start"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if flow.first_incomplete(draft.answers):
        return _go_to(flow.first_incomplete(draft.answers))
    try:
        store.submit(token, draft)
    except store.StorageBusy:
        abort(503)
    return redirect(url_for("patient.done"))


@bp.get("/done")
def done():
    submission = store.submission_for_draft(_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    return render_template("patient/done.html", code=codes.display(submission.code),
                           qr_svg=qr_svg(submission.code), crisis=_crisis(),
                           summary=summary.build(submission.answers, submission.created_at.date(),
                                                 _language()))


@bp.get("/summary")
def patient_summary():
    """The summary in the patient's own language (the clinician print is in the clinic's)."""
    submission = store.submission_for_draft(_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    with i18n.in_language(_language()) as language:
        return render_template("patient/summary.html", crisis=_crisis(),
                               **summary_context(submission, language))


def _crisis() -> dict:
    return crisis_resources(current_app.config["CRISIS_RESOURCES_FILE"], _language())


def _save_or_busy(write) -> None:
    try:
        write()
    except store.StorageBusy:
        abort(503)


def qr_svg(code: str) -> str:
    return segno.make(code, error="m", micro=False).svg_inline(
        scale=6, dark="#000", light="#fff", title=_("Reference code as a QR code")
    )

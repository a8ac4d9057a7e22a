"""The patient's questionnaire: start, check your answers, submit, summary (steps: steps.py).

Every step is POST, save, redirect, GET, so a reload, Back or a closed browser loses nothing.
Every page is in the patient's language (i18n.py); the switch on every page changes it without
touching the answers or the step.
"""

from urllib.parse import parse_qs, urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from screening import i18n, summary_sheet
from screening.domain import codes, flow, plain_summary, summary
from screening.forms import ConfirmForm
from screening.patient import store
from screening.patient.blueprint import (
    bp,
    crisis,
    current_draft,
    draft_token,
    go_to,
    new_draft,
    page_language,
    with_draft_cookie,
    without_draft_cookie,
)
from screening.patient.presenter import review_rows
from screening.qr import qr_svg


@bp.get("/")
def start():
    draft = current_draft()
    finished = store.submission_for_draft(draft_token())
    has_answers = bool(draft and draft.answers) and not finished
    return render_template("patient/start.html", form=ConfirmForm(), has_answers=has_answers,
                           finished=finished, crisis=crisis())


@bp.post("/begin")
def begin():
    """Start, or continue the unsent draft: either way under a new token (store.move_draft)."""
    draft, token = current_draft(), store.new_draft_token()
    if draft is None or draft.submitted:
        new_draft(token)
        answers = {}
    else:
        store.move_draft(draft_token(), token)
        answers = draft.answers
    target = flow.Path(answers).first_incomplete() or flow.steps()[0]
    return with_draft_cookie(go_to(target), token)


@bp.get("/restart")
def confirm_restart():
    """"Start again" asks first: nothing is deleted until the patient confirms."""
    if current_draft() is None or store.submission_for_draft(draft_token()):
        return redirect(url_for("patient.start"))
    return render_template("patient/restart.html", form=ConfirmForm())


@bp.post("/restart")
def restart():
    if not store.submission_for_draft(draft_token()):
        store.discard_draft(draft_token())
    token = store.new_draft_token()
    new_draft(token)
    return with_draft_cookie(go_to(flow.steps()[0]), token)


@bp.post("/language")
def set_language():
    """Switch language and return to the same page: answers, step and draft stay as they were."""
    language = i18n.supported(request.form.get("language"))
    if language is None:
        abort(400)
    if current_draft() is not None:
        store.set_draft_language(draft_token(), language)
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
    last = flow.Path(draft.answers).steps[-1]
    return render_template("patient/review.html", rows=review_rows(draft.answers, page_language()),
                           form=ConfirmForm(), part=flow.part_text("check", page_language()),
                           back_url=url_for("patient.step", number=last.number))


@bp.post("/submit")
def submit():
    token = draft_token()
    existing = store.submission_for_draft(token)
    if existing:
        return redirect(url_for("patient.done"))
    draft = current_draft()
    if draft is None:
        return redirect(url_for("patient.start"))
    missing = flow.Path(draft.answers).first_incomplete()
    if missing:
        return go_to(missing)
    store.submit(token, draft)
    return redirect(url_for("patient.done"))


@bp.post("/help-now/send")
def send_early():
    """From the "ask for help now" page: send what is answered so far, so the clinic can learn of
    it before the end. A second press, or one after the normal Send, goes to the same done page."""
    token = draft_token()
    if store.submission_for_draft(token):
        return redirect(url_for("patient.done"))
    draft = current_draft()
    if draft is None:
        return redirect(url_for("patient.start"))
    if not flow.step_by_id("help_now").applies(draft.answers):
        return go_to(flow.Path(draft.answers).first_incomplete())
    store.send_early(token, draft)
    return redirect(url_for("patient.done"))


@bp.get("/done")
def done():
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    return render_template(
        "patient/done.html", code=codes.display(submission.code), form=ConfirmForm(),
        lookup_days=max(1, round(current_app.config["STAFF_CODE_LOOKUP_HOURS"] / 24)),
        qr_svg=qr_svg(submission.code, title=_("Reference code as a QR code")), crisis=crisis(),
        **_plain_result(submission))


def _plain_result(submission) -> dict:
    """The total, whether to show crisis resources and whether the answers were sent early from
    the safety page: all /done says about the answers."""
    built = summary.build(submission.answers, submission.created_at.date(), page_language())
    return {"total": built.phq9.total, "safety_flagged": built.safety.flagged,
            "sent_early": built.safety.sent_early}


@bp.post("/forget")
def forget():
    """A shared phone: remove this questionnaire from it; the clinic keeps what was sent."""
    if not store.submission_for_draft(draft_token()):
        store.discard_draft(draft_token())
    response = current_app.make_response(render_template("patient/forgotten.html"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return without_draft_cookie(response)


@bp.get("/summary")
def patient_summary():
    """The patient's own answers and what happens next, in plain words, in their language."""
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    language = page_language()
    built = summary.build(submission.answers, submission.created_at.date(), language)
    return render_template("patient/summary.html", crisis=crisis(),
                           code=codes.display(submission.code),
                           plain=plain_summary.for_patient(built, language))


@bp.get("/summary/print")
def summary_print():
    """The clinician sheet for the patient to print and bring: the one reception prints."""
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        return redirect(url_for("patient.start"))
    return summary_sheet.render_print(
        submission, pages_css_url=url_for("patient.summary_pages_css"),
        back_url=url_for("patient.patient_summary"), back_label=_l("Back to your answers"))


@bp.get("/summary/pages.css")
def summary_pages_css():
    submission = store.submission_for_draft(draft_token())
    if submission is None:
        abort(404)
    return summary_sheet.pages_css(submission)

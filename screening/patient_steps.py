"""The questionnaire's steps: one question (or small group) per screen, and repeating entries.

Each step is POST, save, redirect, GET. A step the patient has not reached, or no longer needs,
sends them to where they belong; on a change from the review page they return there.
"""

from flask import abort, current_app, redirect, render_template, request, url_for

from . import step_pages, store
from .domain import flow
from .domain.questions import all_questions
from .forms import ConfirmForm, form_class, form_data
from .patient import bp, current_draft, draft_token, go_to, page_language, save_or_busy
from .presenter import repeat_entries


@bp.route("/step/<int:number>", methods=["GET", "POST"])
def step(number: int):
    draft, current = current_draft(), flow.step_by_number(number, page_language())
    if draft is None or draft.submitted:
        return redirect(url_for("patient.start"))
    if current is None:
        abort(404)
    change = request.args.get("change") == "1"
    path = flow.Path(draft.answers)
    blocked = _must_answer_first(current, path)
    if blocked:
        return go_to(blocked, change)
    if request.method == "GET" and step_pages.has_blank_page(current):
        return step_pages.render_filled(_page(current, path, change), draft.answers)
    form = _form_for(current, draft.answers)
    if form.validate_on_submit():
        try:
            answers = store.save_answers(draft_token(), _answers_from(current, form))
        except store.StorageBusy:
            return _render_step(current, form, path, change, status=503)
        after = flow.Path(answers)
        return go_to(after.first_incomplete() if change else after.next_step(current), change)
    status = 400 if request.method == "POST" else 200
    return _render_step(current, form, path, change, status=status)


def _must_answer_first(current: flow.Step, path: flow.Path) -> flow.Step | None:
    """A step the patient has not reached yet, or no longer needs, sends them where they belong."""
    first_open = path.first_incomplete()
    if not current.applies(path.answers):
        return first_open
    if first_open is not None and first_open.number < current.number:
        return first_open
    return None


def _form_for(current: flow.Step, answers: dict):
    if current.kind in ("notice", "repeat"):
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


def _page(current: flow.Step, path: flow.Path, change: bool) -> step_pages.StepPage:
    back = path.previous_step(current)
    return step_pages.StepPage(
        number=current.number, language=current.language, change=change,
        progress=path.progress_text(current, current.language),
        back_url=url_for("patient.review") if change else (
            url_for("patient.step", number=back.number) if back else url_for("patient.start")),
        path=request.full_path.rstrip("?"),
    )


def _render_step(current: flow.Step, form, path: flow.Path, change: bool, status: int = 200):
    entries = repeat_entries(current, path.answers) if current.kind == "repeat" else None
    html = step_pages.render(_page(current, path, change), form, entries=entries,
                             busy=status == 503)
    response = current_app.make_response((html, status))
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


@bp.route("/step/<int:number>/item/<item_id>", methods=["GET", "POST"])
def repeat_item(number: int, item_id: str):
    """Add or edit one entry of a repeating step, such as one antidepressant trial."""
    draft, current = current_draft(), flow.step_by_number(number, page_language())
    if draft is None or draft.submitted:
        return redirect(url_for("patient.start"))
    if current is None or current.kind != "repeat" or not _valid_item_id(item_id):
        abort(404)
    blocked = _must_answer_first(current, flow.Path(draft.answers))
    if blocked and blocked.number < current.number:
        return go_to(blocked)
    if item_id == "new":
        return redirect(url_for("patient.repeat_item", number=number,
                                item_id=store.new_item_id(), change=_change_arg()))
    existing = next((e for e in draft.answers.get(current.id, []) if e["_id"] == item_id), {})
    form = _step_form(current, existing)
    if form.validate_on_submit():
        try:
            store.save_repeat_item(draft_token(), current.id, item_id, form.answers())
        except store.StorageBusy:
            return _render_item(current, form, existing, status=503)
        return redirect(url_for("patient.step", number=number, change=_change_arg()))
    return _render_item(current, form, existing, status=400 if request.method == "POST" else 200)


@bp.post("/step/<int:number>/item/<item_id>/remove")
def remove_repeat_item(number: int, item_id: str):
    current = flow.step_by_number(number)
    if current_draft() is None or current is None or current.kind != "repeat":
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    save_or_busy(lambda: store.save_repeat_item(draft_token(), current.id, item_id, None))
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

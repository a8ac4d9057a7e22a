"""The questionnaire's steps: one question (or small group) per screen, and repeating entries.

Each step is POST, save, redirect, GET. A step the patient has not reached, or no longer needs,
sends them to where they belong (domain.answers.must_answer_first); on a change from the review
page they return there.
"""

from flask import abort, redirect, render_template, request, url_for

from screening.domain import flow
from screening.domain.answers import must_answer_first
from screening.domain.questions import all_questions
from screening.forms import ConfirmForm
from screening.patient import store
from screening.patient.blueprint import (
    bp,
    crisis,
    current_draft,
    draft_token,
    go_to,
    page_language,
)
from screening.patient.forms import form_class, form_data
from screening.patient.presenter import repeat_entries


@bp.route("/step/<int:number>", methods=["GET", "POST"])
def step(number: int):
    draft, current = current_draft(), flow.step_by_number(number, page_language())
    if draft is None or draft.submitted:
        return redirect(url_for("patient.start"))
    if current is None:
        abort(404)
    change = _change()
    path = flow.Path(draft.answers)
    if not current.applies(path.answers):  # never shown, even when every other step is done
        return go_to(path.first_incomplete(), change)
    blocked = must_answer_first(current, path)
    if blocked:
        return go_to(blocked, change)
    form = _form_for(current, draft.answers)
    if current.kind == "repeat" and request.method == "POST" and not _repeat_answered(
            current, draft.answers):
        return _render_step(current, form, path, change, nothing_chosen=True), 400
    if form.validate_on_submit():
        answers = store.save_answers(draft_token(), _answers_from(current, form), draft)
        after = flow.Path(answers)
        return go_to(after.first_incomplete() if change else after.next_step(current), change)
    status = 400 if request.method == "POST" else 200
    return _render_step(current, form, path, change), status


NONE_TAKEN = "none"


def _repeat_answered(current: flow.Step, answers: dict) -> bool:
    """A list step is answered by its entries, or by saying there are none: never by default."""
    return bool(answers.get(current.id)) or request.form.get("answer") == NONE_TAKEN


def _change() -> bool:
    return request.args.get("change") == "1"


def _change_arg() -> int | None:
    return 1 if _change() else None


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


def _back_url(current: flow.Step, path: flow.Path, change: bool) -> str:
    if change:
        return url_for("patient.review")
    back = path.previous_step(current)
    return url_for("patient.step", number=back.number) if back else url_for("patient.start")


def _template(current: flow.Step) -> str:
    # One name, never a list of candidates: Jinja caches a template it found, but looks on disk
    # again, on every page, for each candidate that does not exist.
    if current.kind == "notice":
        return f"patient/notice_{current.id}.html"
    return "patient/repeat.html" if current.kind == "repeat" else "patient/step.html"


def _render_step(current: flow.Step, form, path: flow.Path, change: bool,
                 nothing_chosen: bool = False) -> str:
    entries = repeat_entries(current, path.answers) if current.kind == "repeat" else None
    return render_template(
        _template(current), step=current, form=form, change=change,
        nothing_chosen=nothing_chosen,
        part=flow.part_text(flow.part_of(current), current.language),
        progress=path.progress_text(current, current.language),
        back_url=_back_url(current, path, change),
        section=flow.sections(current.language)[current.section],
        crisis=crisis(),
        questions=all_questions(current.language), entries=entries)


@bp.route("/step/<int:number>/item/<item_id>", methods=["GET", "POST"])
def repeat_item(number: int, item_id: str):
    """Add or edit one entry of a repeating step, such as one antidepressant trial."""
    draft, current = current_draft(), flow.step_by_number(number, page_language())
    if draft is None or draft.submitted:
        return redirect(url_for("patient.start"))
    if current is None or current.kind != "repeat" or not _valid_item_id(item_id):
        abort(404)
    blocked = must_answer_first(current, flow.Path(draft.answers))
    if blocked and blocked.number < current.number:
        return go_to(blocked)
    if item_id == "new":
        return redirect(url_for("patient.repeat_item", number=number,
                                item_id=store.new_item_id(), change=_change_arg()))
    existing = next((e for e in draft.answers.get(current.id, []) if e["_id"] == item_id), {})
    form = _step_form(current, existing)
    if form.validate_on_submit():
        store.save_repeat_item(draft_token(), current.id, item_id, form.answers(), draft)
        if request.form.get("then") == "another":
            return redirect(url_for("patient.repeat_item", number=number, item_id="new",
                                    change=_change_arg()))
        return redirect(url_for("patient.step", number=number, change=_change_arg()))
    status = 400 if request.method == "POST" else 200
    return _render_item(current, form, existing), status


@bp.route("/step/<int:number>/item/<item_id>/remove", methods=["GET", "POST"])
def remove_repeat_item(number: int, item_id: str):
    """Removing an entry asks first (GET), and removes only when confirmed (POST)."""
    draft, current = current_draft(), flow.step_by_number(number, page_language())
    if draft is None or current is None or current.kind != "repeat":
        abort(404)
    back = url_for("patient.step", number=number, change=_change_arg())
    if request.method == "POST":
        store.save_repeat_item(draft_token(), current.id, item_id, None, draft)
        return redirect(back)
    entry = next((e for e in repeat_entries(current, draft.answers) if e.id == item_id), None)
    if entry is None:
        return redirect(back)
    return render_template("patient/repeat_remove.html", step=current, entry=entry,
                           form=ConfirmForm(), back_url=back,
                           section=flow.sections(current.language)[current.section])


def _valid_item_id(item_id: str) -> bool:
    return item_id == "new" or (len(item_id) <= 16 and item_id.replace("-", "").replace(
        "_", "").isalnum())


def _render_item(current: flow.Step, form, existing: dict) -> str:
    return render_template(
        "patient/repeat_item.html", step=current, form=form, editing=bool(existing),
        part=flow.part_text(flow.part_of(current), current.language),
        questions=all_questions(current.language),
        section=flow.sections(current.language)[current.section],
        back_url=url_for("patient.step", number=current.number, change=_change_arg()))

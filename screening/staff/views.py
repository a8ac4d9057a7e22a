"""The reception desk and the clinician: sign in, today's queue, look up a code, print, acknowledge.

One `before_request` guards every route of the blueprint except the sign-in pages
(tests/staff/test_staff_access.py walks the URL map to prove it). Clinician-only actions check the
role in the view. Every POST carries a CSRF token (Flask-WTF protects the whole app).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from screening import i18n, summary_sheet
from screening.clock import utcnow
from screening.domain import codes, fhir_export
from screening.forms import ConfirmForm
from screening.qr import qr_svg
from screening.security import cookie_flags, renew_csrf_token
from screening.staff import auth as staff_auth
from screening.staff import presenter
from screening.staff import store as staff_store
from screening.staff.forms import CodeForm, LoginForm, LookupForm

if TYPE_CHECKING:  # rows come from the store; views only pass them on
    from screening.models import Submission

bp = Blueprint("staff", __name__, url_prefix="/staff")
SIGN_IN_ENDPOINTS = frozenset({"staff.login", "staff.login_code", "staff.enrol"})
NOT_ACCEPTED = _l("Sign-in details not accepted. Check them and try again; after several "
                  "attempts, sign-in pauses for a few minutes.")
CODE_NOT_ACCEPTED = _l("That code was not accepted. Wait for a new code in your authenticator app "
                       "and try again.")

# --- the guard --------------------------------------------------------------------------------

@bp.before_request
def require_sign_in():
    if request.endpoint in SIGN_IN_ENDPOINTS:
        return None
    # The queue page's own refresh is not activity: it must not keep an idle desk signed in.
    signed_in = staff_auth.current(touch=request.endpoint != "staff.queue_live")
    if signed_in is None:
        if request.method in ("GET", "HEAD"):
            response = redirect(url_for("staff.login"))
        else:
            response = current_app.make_response(
                (render_template("staff/session_ended.html"), 401))
        return _without_cookie(response) if staff_auth.cookie_token() else response
    g.signed_in = signed_in
    g.staff = signed_in.user
    return None


def _require_clinician(action: str, public_id: str) -> None:
    if g.staff.role != "clinician":
        staff_store.audited(action, "denied", g.staff.id, public_id)
        abort(403)


# --- signing in -------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    """Username and password; then the code page (or first-time authenticator set-up)."""
    if request.method == "GET" and staff_auth.current():
        return redirect(url_for("staff.queue"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 400 if form.errors else 200
    user = staff_auth.check_password(form.username.data, form.password.data)
    if user is None:
        return render_template("staff/login.html", form=form, error=NOT_ACCEPTED), 401
    staff_auth.purge_expired_sessions(utcnow())
    if not current_app.config["STAFF_TOTP_REQUIRED"]:
        return _with_cookie(redirect(url_for("staff.queue")),
                            staff_auth.start_session(user, "full"))
    if not user.totp_enrolled_at:  # created here, not on the page's GET, which changes nothing
        staff_store.begin_totp_enrolment(user.id, staff_auth.new_totp_secret())
    target = "staff.login_code" if user.totp_enrolled_at else "staff.enrol"
    return _with_cookie(redirect(url_for(target)), staff_auth.start_session(user, "password"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    pending = staff_auth.current("password")
    if pending is None:
        return redirect(url_for("staff.login"))
    if not pending.user.totp_enrolled_at:
        return redirect(url_for("staff.enrol"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("staff/code.html", form=form), 400 if form.errors else 200
    if not staff_auth.check_code(pending.user, form.code.data):
        return render_template("staff/code.html", form=form, error=CODE_NOT_ACCEPTED), 401
    return _with_cookie(redirect(url_for("staff.queue")),
                        staff_auth.start_session(pending.user, "full"))


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """First sign-in (or after a reset): scan the QR code, then confirm with a code."""
    pending = staff_auth.current("password")
    if pending is None:
        return redirect(url_for("staff.login"))
    user = pending.user
    if user.totp_enrolled_at:
        return redirect(url_for("staff.login_code"))
    if not user.totp_secret:  # reset after the password step: start again
        return redirect(url_for("staff.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if staff_auth.check_code(user, form.code.data, enrol=True):
            return _with_cookie(redirect(url_for("staff.queue")),
                                staff_auth.start_session(user, "full"))
        form.code.errors = [CODE_NOT_ACCEPTED]
    status = 400 if form.errors else 200
    return render_template("staff/enrol.html", form=form, user=user,
                           qr_svg=qr_svg(staff_auth.totp_uri(user),
                                         title=_("Authenticator set-up QR code"), scale=5),
                           secret_groups=_groups(user.totp_secret)), status


@bp.post("/logout")
def logout():
    staff_auth.end_session(g.signed_in)
    g.staff = None
    response = current_app.make_response(render_template("staff/signed_out.html"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return _without_cookie(response)


# --- the desk ---------------------------------------------------------------------------------

@bp.get("/")
def queue():
    """Today's submissions in the clinic's time zone: urgent safety flags first, then newest.
    static/queue.js fetches the tables again (queue_live) so a new safety flag shows by itself.
    The queue shows every patient's code, band and flags: opening it is audited like a view."""
    staff_store.audited("queue", "success", g.staff.id, None)
    return render_template("staff/queue.html", form=LookupForm(), **_queue_context())


@bp.get("/queue/live")
def queue_live():
    """Only the queue's tables, for the open queue page to replace in place. The opening of the
    page was audited; its refreshes are not (one row every 30 s would bury the trail), and they do
    not count as activity: a desk left alone is still signed out after the idle timeout (see
    require_sign_in)."""
    return render_template("staff/_queue_tables.html", **_queue_context())


def _queue_context() -> dict:
    start, end = presenter.today()
    rows = staff_store.submissions_between(start, end)
    earlier = staff_store.unacknowledged_flags_before(start)
    names = staff_store.usernames({s.acknowledged_by for s in [*rows, *earlier]
                                   if s.acknowledged_by})
    return {"rows": [presenter.queue_row(s, names) for s in rows],
            "earlier": [presenter.queue_row(s, names, with_date=True) for s in earlier],
            "day": start.astimezone(presenter.clinic_zone()),
            "updated": presenter.clock_now(),
            "refresh_seconds": min(current_app.config["STAFF_QUEUE_REFRESH_SECONDS"], 30)}


@bp.route("/lookup", methods=["GET", "POST"])
def lookup():
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("staff/lookup.html", form=form), 400 if form.errors else 200
    found = staff_store.lookup(g.staff.id, codes.normalise(form.code.data), utcnow(), _caps())
    if found.outcome == "success":
        return redirect(url_for("staff.submission", public_id=found.submission.public_id), 303)
    status = {"rate_limited": 429, "invalid": 400}.get(found.outcome, 404)
    return render_template("staff/lookup.html", form=form, outcome=found.outcome), status


@bp.get("/submissions/<public_id>")
def submission(public_id: str):
    found = _submission_or_404(public_id)
    staff_store.audited("view", "success", g.staff.id, public_id)
    with i18n.in_language(i18n.clinic_language()):
        return render_template("staff/submission.html", form=ConfirmForm(),
                               **_summary_context(found))


@bp.post("/submissions/<public_id>/print")
def print_summary(public_id: str):
    _submission_or_404(public_id)
    staff_store.mark_printed(public_id, g.staff.id, utcnow())
    return redirect(url_for("staff.print_page", public_id=public_id), 303)


@bp.get("/submissions/<public_id>/print")
def print_page(public_id: str):
    found = _submission_or_404(public_id)
    staff_store.audited("view_print", "success", g.staff.id, public_id)
    names = staff_store.usernames({found.acknowledged_by} if found.acknowledged_by else set())
    return summary_sheet.render_print(
        found, pages_css_url=url_for("staff.print_pages_css", public_id=public_id),
        back_url=url_for("staff.submission", public_id=public_id),
        back_label="Back to the summary",
        acknowledgement=presenter.acknowledgement(found, names))


@bp.get("/submissions/<public_id>/pages.css")
def print_pages_css(public_id: str):
    """The printed sheet's page margins: its code and "Page N of M" on pages after the first."""
    return summary_sheet.pages_css(_submission_or_404(public_id))


@bp.post("/submissions/<public_id>/acknowledge")
def acknowledge(public_id: str):
    """Clinicians only: the safety flag has been seen and acted on."""
    _require_clinician("acknowledge", public_id)
    found = _submission_or_404(public_id)
    if found.safety_level == "none":
        abort(400)
    staff_store.acknowledge(public_id, g.staff.id, utcnow())
    return redirect(url_for("staff.submission", public_id=public_id), 303)


@bp.post("/submissions/<public_id>/fhir")
def export_fhir(public_id: str):
    """Clinicians only: the PHQ-9 as a FHIR R4 Bundle download."""
    _require_clinician("export", public_id)
    found = _submission_or_404(public_id)

    bundle = fhir_export.submission_bundle(found.answers, found.created_at, found.public_id)
    staff_store.audited("export", "success", g.staff.id, public_id)
    stamp = found.created_at.astimezone(presenter.clinic_zone()).strftime("%Y%m%d-%H%M")
    return current_app.response_class(
        json.dumps(bundle, ensure_ascii=False, indent=2), mimetype="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="phq9-{stamp}.json"'})


# --- helpers ----------------------------------------------------------------------------------

def _cookie_flags() -> dict:
    return cookie_flags(current_app.config["STAFF_COOKIE_NAME"], samesite="Strict")


def _with_cookie(response, token: str):
    """A new sign-in stage: a new session token and a new CSRF token."""
    renew_csrf_token()
    response.set_cookie(value=token, **_cookie_flags())
    return response


def _without_cookie(response):
    response.delete_cookie(**_cookie_flags())
    return response


def _caps() -> dict:
    config = current_app.config
    return {"per_user": config["STAFF_LOOKUP_FAILURES_PER_USER_HOUR"],
            "global": config["STAFF_LOOKUP_FAILURES_GLOBAL_HOUR"],
            "code_lifetime": timedelta(hours=config["STAFF_CODE_LOOKUP_HOURS"])}


def _submission_or_404(public_id: str) -> Submission:
    found = staff_store.submission(public_id)
    if found is None:
        abort(404)
    return found


def _summary_context(found: Submission) -> dict:
    names = staff_store.usernames({found.acknowledged_by} if found.acknowledged_by else set())
    return {"submission": found, "summary": presenter.build(found),
            "code": codes.display(found.code),
            "acknowledgement": presenter.acknowledgement(found, names),
            "can_acknowledge": g.staff.role == "clinician"}


def _groups(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))

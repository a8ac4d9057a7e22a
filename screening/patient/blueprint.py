"""The patient blueprint and what its views share: the draft read once per request, the draft
cookie, the page's language and crisis resources, and where to send the patient next."""

import hashlib
import hmac

from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import TooManyRequests

from screening import i18n
from screening.crisis import resources as crisis_resources
from screening.domain import flow
from screening.patient import store
from screening.patient.forms import is_generic_message
from screening.security import cookie_flags, read_cookie

bp = Blueprint("patient", __name__)
bp.add_app_template_global(is_generic_message)


@bp.before_request
def load_draft():
    """The patient's draft, read once per request; its language beats the cookie (i18n.py)."""
    g.draft = store.find_draft(draft_token(), current_app.config["DRAFT_RETENTION_HOURS"])
    g.draft_language = g.draft.language if g.draft else None


def page_language() -> str:
    return i18n.request_language()


def draft_token() -> str | None:
    return read_cookie(current_app.config["DRAFT_COOKIE_NAME"])


class TooManyStarts(TooManyRequests):
    """429 for a /begin over DRAFT_STARTS_PER_ADDRESS_MINUTE; errors.http_error shows `page`."""

    retry_after = 60
    page = (_l("Too many questionnaires started from here"),
            _l("Please wait a minute and press Start again. Answers already saved on this "
               "device are kept."))


def new_draft(token: str) -> None:
    """Create an empty draft under `token`, within the new drafts this client address may start
    in a minute (the address is counted as a keyed hash, never stored)."""
    config = current_app.config
    secret = config["SECRET_KEY"].encode()
    address = hmac.new(secret, b"draft-start\n" + (request.remote_addr or "").encode(),
                       hashlib.sha256).hexdigest()
    try:
        store.create_draft(token, language=page_language(), address_key=address,
                           per_minute=config["DRAFT_STARTS_PER_ADDRESS_MINUTE"])
    except store.TooManyDrafts:
        raise TooManyStarts() from None


def current_draft() -> store.DraftState | None:
    return g.draft


def with_draft_cookie(response, token: str):
    response.set_cookie(value=token, max_age=current_app.config["DRAFT_RETENTION_HOURS"] * 3600,
                        **cookie_flags(current_app.config["DRAFT_COOKIE_NAME"]))
    return response


def without_draft_cookie(response):
    response.delete_cookie(**cookie_flags(current_app.config["DRAFT_COOKIE_NAME"]))
    return response


def go_to(step: flow.Step | None, change: bool = False):
    if step is None:
        return redirect(url_for("patient.review"))
    return redirect(url_for("patient.step", number=step.number, change=1 if change else None))


def crisis() -> dict:
    return crisis_resources(current_app.config["CRISIS_RESOURCES_FILE"], page_language())

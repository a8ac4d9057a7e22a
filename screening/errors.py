"""Generic error pages: no stack traces, no SQL, the same security headers as every page.

Messages are lazy (`_l`): they are fixed at import time and shown in the visitor's language.
"""

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from screening.domain.bounds import TooMuchToStore

MESSAGES = {
    400: (_l("Something went wrong with that page"), _l("Please go back and try again.")),
    403: (_l("You cannot do that here"), _l("Please go back and try again.")),
    404: (_l("Page not found"), _l("Check the address, or start from the beginning.")),
    405: (_l("Page not found"), _l("Check the address, or start from the beginning.")),
    413: (_l("That was too much to send"), _l("Please shorten what you typed and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a little and try again.")),
    500: (_l("Sorry, something went wrong"),
          _l("Your saved answers are safe. Please try again.")),
    503: (_l("The service is busy"),
          _l("Your saved answers are safe. Please try again in a moment.")),
}
RETRY_AFTER_SECONDS = 5
# Typed again rather than carried in the page: a password never goes back into HTML.
NOT_REPLAYED = frozenset({"csrf_token", "password"})


class StorageBusy(Exception):
    """The database stayed locked past the busy timeout; nothing was saved by this request."""


CSRF_TITLE = _l("This page was open for a long time")
CSRF_ADVICE = _l(
    "Please go back, reload the page and answer again. Your earlier answers are saved.")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(StorageBusy, storage_busy)
    app.register_error_handler(TooMuchToStore, too_much_to_store)
    app.register_error_handler(Exception, unexpected_error)


def render_error(status: int):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    response = (render_template("errors/error.html", title=title, advice=advice, status=status),
                status)
    return response


def http_error(error: HTTPException):
    page = getattr(error, "page", None)  # an exception that says what happened (security.py)
    if page is not None:
        title, advice = page
        headers = {"Retry-After": str(error.retry_after)} if hasattr(error, "retry_after") else {}
        return render_template("errors/error.html", title=title, advice=advice,
                               status=error.code), error.code, headers
    rendered = render_error(error.code or 500)
    if error.code == 503:
        return (*rendered, {"Retry-After": str(RETRY_AFTER_SECONDS)})
    return rendered


def csrf_error(_error: CSRFError):
    return render_template("errors/error.html", title=CSRF_TITLE, advice=CSRF_ADVICE,
                           status=400), 400


def storage_busy(_error: StorageBusy):
    """503 with Retry-After, on patient and staff pages alike. What was sent comes back in the
    page as a form that sends it again to the same address, so nothing typed is lost."""
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if name not in NOT_REPLAYED]
    page = render_template("errors/busy.html", title=MESSAGES[503][0], kept=kept,
                           action=request.full_path.rstrip("?"), status=503)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def too_much_to_store(error: TooMuchToStore):
    """413: what was sent would make the stored answers too large; nothing of it was saved and
    the answers saved before are as they were."""
    if error.reason == "entries":
        title = _("That list is full")
        advice = _("You can add up to %(count)d entries here. Your earlier answers are saved.",
                   count=error.limit)
    else:
        title = _("That was too much to save")
        advice = _("Please go back and shorten what you typed. Your earlier answers are saved.")
    return render_template("errors/error.html", title=title, advice=advice, status=413), 413


def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.error("Unhandled error: %s", type(error).__name__)
    return render_error(500)

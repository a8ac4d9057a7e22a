"""Generic error pages: no stack traces, no SQL, the same security headers as every page."""

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something went wrong with that page", "Please go back and try again."),
    403: ("You cannot do that here", "Please go back and try again."),
    404: ("Page not found", "Check the address, or start from the beginning."),
    405: ("Page not found", "Check the address, or start from the beginning."),
    413: ("That was too much to send", "Please shorten what you typed and try again."),
    429: ("Too many attempts", "Please wait a little and try again."),
    500: ("Sorry, something went wrong", "Your saved answers are safe. Please try again."),
    503: ("The service is busy", "Your saved answers are safe. Please try again in a moment."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(Exception, unexpected_error)


def render_error(status: int):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    response = (render_template("errors/error.html", title=title, advice=advice, status=status),
                status)
    return response


def http_error(error: HTTPException):
    rendered = render_error(error.code or 500)
    if error.code == 503:
        return (*rendered, {"Retry-After": "5"})
    return rendered


def csrf_error(_error: CSRFError):
    title = "This page was open for a long time"
    advice = "Please go back, reload the page and answer again. Your earlier answers are saved."
    return render_template("errors/error.html", title=title, advice=advice, status=400), 400


def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.error("Unhandled error: %s", type(error).__name__)
    return render_error(500)

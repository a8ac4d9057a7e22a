"""Intake screening: a patient questionnaire and a reception desk for a depression clinic."""

import logging
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from . import cli, errors, filters, security
from .config import DEFAULTS, PLACEHOLDER_SECRET
from .db import configure_sqlite, db, is_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    """The CSRF session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    _load_config(app, test_config)
    _refuse_placeholder_secret(app)
    _init_database(app)
    _quiet_request_logging(app)
    app.session_interface = SecureWhenHttpsSessionInterface()
    csrf.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    filters.init_app(app)
    _register_blueprints(app)
    return app


def _load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        database = Path(app.instance_path) / "screening.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"


def _refuse_placeholder_secret(app: Flask) -> None:
    if app.config["SECRET_KEY"] == PLACEHOLDER_SECRET and not (app.debug or app.testing):
        raise RuntimeError(
            "Set FLASK_SECRET_KEY (or SECRET_KEY in instance/config.py) before serving patients."
        )


def _init_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if is_sqlite(db.engine):
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _quiet_request_logging(app: Flask) -> None:
    # Request lines carry patient IP addresses; they are not logged unless asked for.
    if not app.config["LOG_REQUESTS"]:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from . import patient

    app.register_blueprint(patient.bp)

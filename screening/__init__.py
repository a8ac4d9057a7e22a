"""Intake screening: a patient questionnaire and a reception desk for a depression clinic.

Imports point one way: this factory and `cli` over the areas (`patient`, `staff`, `fhir`, which
never import one another), over the shared web infrastructure (`database`, `models`, `security`,
`i18n`, `errors`, `filters`, ...), over the pure `domain`. pyproject.toml's import-linter
contracts enforce it.
"""

import logging
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from screening import cli, database, encryption, errors, filters, i18n, security
from screening.config import DEFAULTS, PLACEHOLDER_SECRET, PROJECT_ROOT
from screening.database import db

migrate = Migrate()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    _load_config(app, test_config)
    _refuse_placeholder_secret(app)
    encryption.init_app(app)  # refuses to start without the answers' key
    database.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)  # batch: SQLite cannot ALTER most columns
    _trust_proxy(app)
    _quiet_request_logging(app)
    security.init_app(app)
    i18n.init_app(app)
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
        database_file = Path(app.instance_path) / "screening.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"


def _refuse_placeholder_secret(app: Flask) -> None:
    if app.config["SECRET_KEY"] == PLACEHOLDER_SECRET and not (app.debug or app.testing):
        raise RuntimeError(
            "Set FLASK_SECRET_KEY (or SECRET_KEY in instance/config.py) before serving patients."
        )


def _trust_proxy(app: Flask) -> None:
    # Only behind a TLS proxy that overwrites these headers (README "Running in production").
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(x_for), x_proto=int(x_proto))


def _quiet_request_logging(app: Flask) -> None:
    # Request lines carry patient IP addresses; they are not logged unless asked for.
    if not app.config["LOG_REQUESTS"]:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from screening import fhir, patient, staff

    app.register_blueprint(patient.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(fhir.bp)

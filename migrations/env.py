"""Alembic environment for Flask-Migrate: `flask --app screening db upgrade` (and `db migrate`).

The app factory provides the database URL and the models' metadata, so SQLite and PostgreSQL use
the same revisions. Batch mode (set in the factory) lets SQLite apply column changes by copying
the table. Changed from Flask-Migrate's template in three ways: logging setup leaves the app's
loggers alone, the app's column types are written into revisions as plain SQLAlchemy types, and
revisions must not import the app (a revision is a frozen record of the schema at that time).
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Write app-specific column types (such as UTCDateTime) as the type they store."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def process_revision_directives(context, revision, directives):
    """`flask db migrate` with no schema change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def run_migrations_offline():
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_item=render_item,
        **current_app.extensions["migrate"].configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, enabled: bool) -> None:
    """Batch mode rebuilds a SQLite table by dropping it; with foreign keys enforced, that drop
    would cascade into the rows that refer to it (Alembic docs, "Dealing with Constraints").
    The pragma only works outside a transaction, so it goes straight to the driver."""
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute(
            f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _check_sqlite_foreign_keys(connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows refer to missing rows after the migration: {broken[:5]}")


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with get_engine().connect() as connection:
        _sqlite_foreign_keys(connection, enabled=False)
        try:
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                _check_sqlite_foreign_keys(connection)
        finally:
            connection.rollback()
            _sqlite_foreign_keys(connection, enabled=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Every query, the per-request draft read included, goes through SQLAlchemy's pool, so its
events, pre-ping and recycling see it."""

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from screening.database import db


def test_a_step_page_reads_its_draft_through_the_pool(app):
    client = app.test_client()
    assert client.post("/begin").status_code == 302
    with app.app_context():
        engine = db.engine
    checkouts = []

    def count(*_args):
        checkouts.append(1)

    event.listen(engine, "checkout", count)
    try:
        assert client.get("/step/1").status_code == 200
    finally:
        event.remove(engine, "checkout", count)
    assert checkouts, "the draft read bypassed the pool"


@pytest.mark.parametrize("app", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_connection_the_server_dropped_is_replaced_before_a_patient_notices(app):
    client = app.test_client()
    assert client.post("/begin").status_code == 302
    assert client.get("/step/1").status_code == 200  # a pooled connection now exists
    outsider = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with outsider.connect() as admin:  # as a database restart would, from outside the app
        ended = admin.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    outsider.dispose()
    assert ended >= 1
    assert client.get("/step/1").status_code == 200

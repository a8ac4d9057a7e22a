"""Staff fixtures: accounts with a known password and authenticator, a signed-in HTTPS client,
and finished submissions made through the patient flow."""

import pytest
from sqlalchemy import select

from screening.database import db
from screening.models import Submission
from tests.helpers import HttpsClient, Patient
from tests.staff.helpers import create_account
from tests.storage.helpers import displayed_code


@pytest.fixture
def staff_client(app):
    app.test_client_class = HttpsClient
    return app.test_client()


@pytest.fixture
def make_user(app):
    def make(*args, **kwargs):
        return create_account(app, *args, **kwargs)

    return make


@pytest.fixture
def submit(app):
    """Finish a questionnaire through the patient's own client; returns the stored submission."""

    def make(answers):
        patient = Patient(app.test_client())
        response = patient.complete(answers)
        assert response.status_code == 302
        done = patient.client.get("/done").get_data(as_text=True)
        code = displayed_code(done)  # not the first code-like text: a CSRF token can hold one
        with app.app_context():
            found = db.session.scalar(select(Submission).where(Submission.has_code(code)))
            db.session.expunge(found)
            return found

    return make

"""The app refuses to serve patients without a real key for the answers' encryption."""

import pytest
from cryptography.fernet import Fernet

from screening import create_app
from screening.encryption import DEVELOPMENT_KEY
from tests.helpers import ENCRYPTION_KEY


def production_app(tmp_path, **config):
    return create_app({"SECRET_KEY": "s" * 32,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", **config})


@pytest.mark.parametrize("key", [None, "", DEVELOPMENT_KEY])
def test_serving_without_a_real_key_is_refused(tmp_path, key):
    config = {} if key is None else {"ANSWERS_ENCRYPTION_KEY": key}
    with pytest.raises(RuntimeError, match=r"FLASK_ANSWERS_ENCRYPTION_KEY.*Fernet\.generate_key"):
        production_app(tmp_path, **config)


@pytest.mark.parametrize("setting", ["ANSWERS_ENCRYPTION_KEY", "ANSWERS_ENCRYPTION_PREVIOUS_KEY"])
def test_a_key_that_is_not_a_fernet_key_is_refused(tmp_path, setting):
    config = {"ANSWERS_ENCRYPTION_KEY": ENCRYPTION_KEY, setting: "s" * 32}
    with pytest.raises(RuntimeError, match=f"{setting} is not a Fernet key"):
        production_app(tmp_path, **config)


def test_a_real_key_serves(tmp_path):
    served = production_app(tmp_path, ANSWERS_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert served.test_client().get("/").status_code == 200

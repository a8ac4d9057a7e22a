"""Fixtures for the Spanish tests: a patient whose browser asks for Spanish first."""

import pytest
from spanish_helpers import SPANISH_BROWSER


@pytest.fixture
def es_client(client):
    """The test client (shared with the `patient` fixture) with a Spanish-first browser."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = SPANISH_BROWSER
    return client

"""Where a POST comes from is checked with Origin and Sec-Fetch-Site, not Referer (issue 15.6):
behind the clinic's HTTPS proxy a browser that strips Referer can still start, and a refusal says
what happened instead of "This page was open for a long time"."""

import re

import pytest

from tests.helpers import HttpsClient

LONG_TIME = "This page was open for a long time"
OTHER_SITE = "sent from another site"


@pytest.fixture
def https(csrf_app):
    csrf_app.test_client_class = HttpsClient
    client = csrf_app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client, token


def test_https_post_without_referer_or_origin_starts(https):
    client, token = https
    response = client.post("/begin", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_https_post_from_this_site_starts(https):
    client, token = https
    response = client.post("/begin", data={"csrf_token": token},
                           headers={"Origin": "https://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "http://localhost"},  # same host, not HTTPS
    {"Origin": "null"},
])
def test_post_from_elsewhere_is_refused_and_says_so(https, headers):
    client, token = https
    response = client.post("/begin", data={"csrf_token": token}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert OTHER_SITE in page and LONG_TIME not in page


def test_missing_token_still_refused(https):
    client, _token = https
    response = client.post("/begin", headers={"Origin": "https://localhost"})
    assert response.status_code == 400

"""A signed-in clinician posting random fields to every staff POST route never gets a 5xx."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import FIELD_NAMES, FIELD_VALUES, fill_rule
from tests.staff.helpers import ACUTE, create_account, sign_in


@pytest.fixture
def clinician_client(staff_client, app, submit):
    submission = submit(ACUTE)
    user = create_account(app, "carol", "clinician")
    sign_in(staff_client, user)
    return staff_client, submission


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(),
       fields=st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=5),
       real_submission=st.booleans())
def test_random_staff_posts_never_cause_a_server_error(app, clinician_client, data, fields,
                                                      real_submission):
    client, submission = clinician_client
    rules = sorted((r for r in app.url_map.iter_rules()
                    # Signing out would leave every later example signed out.
                    if "POST" in r.methods and r.endpoint.startswith("staff.")
                    and r.endpoint != "staff.logout"),
                   key=lambda r: r.rule)
    rule = data.draw(st.sampled_from(rules))
    url = fill_rule(rule, data.draw)
    if real_submission and "public_id" in rule.arguments:
        url = rule.rule.replace("<public_id>", submission.public_id)
    response = client.post(url, data=fields)
    assert response.status_code < 500, (url, fields)
    assert client.get("/staff/").status_code == 200  # still signed in: the examples mean something

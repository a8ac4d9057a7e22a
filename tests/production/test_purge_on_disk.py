"""Purge leaves no copy of a patient's words on disk while the server keeps serving (issue 15.1).

A patient types a canary into a free-text answer on a running gunicorn. Answers are stored
encrypted, so the canary is never on disk in plain text; what purge must remove is every encrypted
copy. Every encrypted value is a Fernet token, which starts with the same bytes for decades
(version 0x80, then a timestamp), so after `flask purge` no file of the instance folder may hold
one: not the database, its WAL, or a journal.
"""

import re

import requests

from screening.domain import flow
from tests.helpers import REST_OF_FLOW
from tests.production.helpers import csrf_from, flask, served

CANARY = "PURGE-CANARY-7f3a9c"
FERNET_TOKEN_START = "gAAAAA"  # base64 of 0x80 and the high bytes of a 64-bit timestamp
TRIAL = {"medicine": "other", "other_name": CANARY, "this_episode": "yes", "dose_unknown": "y",
         "weeks": "8", "adherence": "all", "response": "none", "stopped": "still"}


def _walk_with_canary(base: str, session: requests.Session) -> None:
    answers = REST_OF_FLOW | {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_9": "0",
                                                                          "phq9_10": "1"}
    response = session.post(f"{base}/begin", data={"csrf_token": csrf_from(session.get(base).text)})
    for _ in range(60):
        if "/step/" not in response.url:
            break
        step = flow.step_by_number(int(re.search(r"/step/(\d+)", response.url).group(1)))
        if step.kind == "repeat":
            item = session.post(f"{base}/step/{step.number}/item/canary1",
                                data={**TRIAL, "csrf_token": csrf_from(response.text)})
            assert item.status_code == 200 and CANARY in item.text, item.text[:500]
            response = item
        data = {} if step.kind in ("notice", "repeat") else {
            q: answers[q] for q in step.questions if q in answers}
        response = session.post(response.url, data={**data, "csrf_token": csrf_from(response.text)})
        assert response.status_code == 200, (step.id, response.text[:500])
    assert response.url.endswith("/review"), response.url
    done = session.post(f"{base}/submit", data={"csrf_token": csrf_from(response.text)})
    assert done.url.endswith("/done")
    assert CANARY in session.get(f"{base}/summary").text


def _files_holding(folder, text: str) -> list[str]:
    needle = text.encode()
    return sorted(path.name for path in folder.rglob("*")
                  if path.is_file() and needle in path.read_bytes())


def test_purged_answers_are_in_no_file_of_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    with served(instance) as (base, env), requests.Session() as session:
        _walk_with_canary(base, session)
        assert _files_holding(instance, CANARY) == []  # encrypted at rest
        assert _files_holding(instance, FERNET_TOKEN_START)  # the search can find the copies
        purged = flask(env | {"FLASK_DRAFT_RETENTION_HOURS": "0",
                              "FLASK_SUBMISSION_RETENTION_DAYS": "0"}, "purge")
        assert "Purged 1 drafts and 1 submissions." in purged, purged
        # The server is still serving, its pooled connections open on the same files.
        assert session.get(f"{base}/").status_code == 200
        assert _files_holding(instance, FERNET_TOKEN_START) == []
        assert _files_holding(instance, CANARY) == []

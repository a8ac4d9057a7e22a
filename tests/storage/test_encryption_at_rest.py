"""Answers and reference codes are encrypted at rest, under keys kept out of the database.

A raw copy of the database (the SQLite file with its WAL, or a pg_dump) must show no answer text
and no code, while the patient's done page, reception's lookup and every print still show the code.
Keys rotate: the previous key is still read, `flask reencrypt` moves everything to the new key.
"""

import base64
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask.cli import FlaskGroup
from sqlalchemy import select
from sqlalchemy.engine import make_url

from screening import create_app
from screening.database import db
from screening.domain import codes
from screening.models import Draft, Submission
from screening.patient import store
from tests.helpers import ENCRYPTION_KEY, HttpsClient, Patient
from tests.staff.helpers import create_account, sign_in
from tests.storage.helpers import displayed_code

from .postgres import find_bindir

CANARY = "Zyxquorbatine-canary-7731"
PHQ = {f"phq9_{i}": "2" for i in range(1, 9)} | {"phq9_9": "0", "phq9_10": "1"}
OTHER_MEDICINE = {"medicine": "other", "other_name": CANARY, "this_episode": "no",
                  "dose_mg": "25", "weeks_unknown": "y", "adherence": "some", "response": "worse",
                  "stopped": "other"}


def finish_with_canary(app) -> tuple[str, str]:
    """A patient names an unusual medicine and sends the questionnaire; returns the code as
    stored (8 characters) and as shown (with its dash)."""
    patient = Patient(app.test_client())
    response = patient.complete(PHQ | {"trials": [OTHER_MEDICINE]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    code = displayed_code(patient.client.get("/done").get_data(as_text=True))
    return code, codes.display(code)


def raw_copy(app) -> bytes:
    """Every byte a thief with the database file, or with a backup, would have."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        files = [Path(url.database), Path(f"{url.database}-wal")]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dump = subprocess.run(
        [str(find_bindir() / "pg_dump"), "-h", url.host, "-p", str(url.port), "-U", url.username,
         "--data-only", url.database], capture_output=True, timeout=60, check=True)
    return dump.stdout


def same_database(app, **keys):
    """Another app (another worker, or the next release) on the same database with `keys`."""
    config = {name: app.config[name] for name in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED")}
    return create_app(config | keys)


def stored(app) -> tuple[list[dict], list[tuple[str, dict]]]:
    with app.app_context():
        try:
            drafts = [d.answers for d in db.session.scalars(select(Draft))]
            submissions = [(s.code, s.answers) for s in db.session.scalars(select(Submission))]
            return drafts, submissions
        finally:
            db.session.remove()
            db.engine.dispose()


def found_by_code(app, code: str) -> int:
    with app.app_context():
        try:
            return len(db.session.scalars(select(Submission).where(Submission.has_code(code)))
                       .all())
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_copy_of_the_database_holds_no_answer_text_and_no_code(app):
    code, shown = finish_with_canary(app)
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert submission.answers["trials"][0]["other_name"] == CANARY  # the app reads it back
        public_id = submission.public_id
        db.session.remove()
    copy = raw_copy(app)
    assert public_id.encode() in copy, "the copy misses the submission: the check would be empty"
    assert CANARY.encode() not in copy
    assert code.encode() not in copy and shown.encode() not in copy
    assert b"other_name" not in copy and b"phq9_1" not in copy  # not even the answers' keys


def test_the_code_is_still_shown_found_and_printed(app):
    code, shown = finish_with_canary(app)
    desk = HttpsClient(app, app.response_class)
    sign_in(desk, create_account(app))
    found = desk.post("/staff/lookup", data={"code": shown.lower()})
    assert found.status_code == 303
    assert code not in found.location
    assert shown in desk.get(found.location).get_data(as_text=True)
    printed = desk.post(f"{found.location}/print")
    assert printed.status_code == 303
    page = desk.get(printed.location).get_data(as_text=True)
    assert shown in page and CANARY in page
    assert desk.post("/staff/lookup", data={"code": "0000-0000"}).status_code == 404


def test_keys_rotate_and_reencrypt_moves_every_row_to_the_new_key(app):
    code, _shown = finish_with_canary(app)
    Patient(app.test_client()).begin()  # and an unfinished draft
    before = stored(app)
    new_key = Fernet.generate_key().decode()

    # The new key alone cannot read what the old one wrote.
    with pytest.raises(InvalidToken):
        stored(same_database(app, ANSWERS_ENCRYPTION_KEY=new_key))
    rotating = same_database(app, ANSWERS_ENCRYPTION_KEY=new_key,
                             ANSWERS_ENCRYPTION_PREVIOUS_KEY=ENCRYPTION_KEY)
    assert stored(rotating) == before
    assert found_by_code(rotating, code) == 1  # its lookup HMAC is still under the old key

    result = rotating.test_cli_runner().invoke(FlaskGroup(create_app=lambda: rotating),
                                               args=["reencrypt", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 2 drafts and 1 submissions; 0 were" in result.output
    again = rotating.test_cli_runner().invoke(FlaskGroup(create_app=lambda: rotating),
                                              args=["reencrypt"])
    assert "Re-encrypted 0 drafts and 0 submissions; 3 were" in again.output

    new_only = same_database(app, ANSWERS_ENCRYPTION_KEY=new_key)
    assert stored(new_only) == before
    assert found_by_code(new_only, code) == 1
    assert found_by_code(same_database(app, ANSWERS_ENCRYPTION_KEY=ENCRYPTION_KEY), code) == 0
    with pytest.raises(InvalidToken):
        stored(same_database(app, ANSWERS_ENCRYPTION_KEY=ENCRYPTION_KEY))


def test_a_patient_half_way_through_carries_on_after_a_rotation(app):
    patient = Patient(app.test_client())
    patient.begin()
    patient.phq9([2] * 3)
    rotating = same_database(app, ANSWERS_ENCRYPTION_KEY=Fernet.generate_key().decode(),
                             ANSWERS_ENCRYPTION_PREVIOUS_KEY=ENCRYPTION_KEY)
    with rotating.app_context():
        assert store.reencrypt().drafts == 1
        db.session.remove()
    rotating_client = rotating.test_client()
    rotating_client.set_cookie(app.config["DRAFT_COOKIE_NAME"],
                               patient.client.get_cookie(app.config["DRAFT_COOKIE_NAME"]).value)
    assert Patient(rotating_client).answer("phq9_4", {"phq9_4": "3"}).status_code == 302
    drafts, _ = stored(rotating)
    assert drafts == [{"phq9_1": "2", "phq9_2": "2", "phq9_3": "2", "phq9_4": "3"}]


def test_the_database_never_holds_the_key(app):
    finish_with_canary(app)
    copy = raw_copy(app)
    assert ENCRYPTION_KEY.encode() not in copy
    assert base64.urlsafe_b64decode(ENCRYPTION_KEY) not in copy

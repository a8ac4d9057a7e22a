"""Staff passwords: 12-128 characters, no composition rules, common ones refused, argon2id."""

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select

from screening.database import db
from screening.staff import auth as staff_auth
from screening.staff.models import StaffUser
from tests.staff.helpers import PASSWORD, sign_in

ACCEPTED = {
    "12 characters": "kettle-ocean",
    "15-char passphrase without digits": "tangerine coats",
    "64 characters": "w" * 20 + " correct horse battery staple unicorn " + "q" * 6,
    "128 characters": "kettle ocean " * 9 + "x" * 11,
    "unicode": "ünïcödé pässwörd",
}
REFUSED = {
    "11 characters": ("kettle-ocea", "at least 12"),
    "129 characters": ("kettle ocean " * 9 + "x" * 12, "at most 128"),
    "common, 12 characters": ("password1234", "too common"),
    "common, any case": ("QwErTyUiOp12", "too common"),
    "common, long": ("1qaz2wsx3edc4rfv", "too common"),
    "the username": ("alice.example", "too common"),
}


@pytest.mark.parametrize("password", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_acceptable_passwords(app, password):
    with app.app_context():
        staff_auth.check_new_password(password, "alice.example")


def test_lengths_in_the_table_are_what_they_claim():
    assert len(ACCEPTED["64 characters"]) == 64
    assert len(ACCEPTED["128 characters"]) == 128
    assert len(ACCEPTED["15-char passphrase without digits"]) == 15
    assert len(REFUSED["129 characters"][0]) == 129


@pytest.mark.parametrize(("password", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_passwords(app, password, reason):
    with app.app_context(), pytest.raises(staff_auth.PasswordRejected, match=reason):
        staff_auth.check_new_password(password, "alice.example")


def test_the_common_password_list_is_sourced_and_large_enough(app):
    header = staff_auth.COMMON_PASSWORDS.read_text().splitlines()[:3]
    assert any("zxcvbn" in line for line in header)
    common = staff_auth.common_passwords()
    assert len(common) >= 3000  # ASVS 5.0 V6.2.4: at least the top 3,000
    assert {"password", "123456", "qwerty", "iloveyou"} <= common


def test_passwords_are_stored_as_argon2id_with_owasp_parameters(app, make_user):
    make_user(password=PASSWORD)
    with app.app_context():
        stored = db.session.scalar(select(StaffUser.password_hash))
    assert stored.startswith("$argon2id$v=19$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) == 1
    PasswordHasher().verify(stored, PASSWORD)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, PASSWORD.upper())


def test_a_weaker_stored_hash_is_upgraded_at_sign_in(app, staff_client, make_user):
    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.get(StaffUser, user.id).password_hash = weak
        db.session.commit()
    sign_in(staff_client, user)
    with app.app_context():
        assert "m=19456,t=3,p=1" in db.session.scalar(select(StaffUser.password_hash))

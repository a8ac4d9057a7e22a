"""Staff authentication: argon2id passwords, TOTP, server-side sessions and login throttling.

Anchors (shared/reference/security-performance.md A1, A3): ASVS 5.0 V6 (passwords, TOTP single
use), V7 (server-side sessions, new id at login, idle and absolute timeouts), OWASP Authentication
and Password Storage cheat sheets (argon2id m >= 19 MiB, t >= 2; per-account throttling with a
growing delay, never a permanent lockout; the same answer for unknown users and wrong passwords).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request

from screening.clock import utcnow
from screening.security import read_cookie
from screening.staff import store as staff_store
from screening.staff.throttle import Throttle
from screening.tokens import new_token, token_hash

if TYPE_CHECKING:  # the models are the store's; this module only names the type
    from screening.staff.models import StaffUser

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common_passwords.txt"
TOTP_STEP_SECONDS = 30
ROLES = ("reception", "clinician")


# --- passwords --------------------------------------------------------------------------------

class PasswordRejected(ValueError):
    """The reason is safe to show to the person choosing the password."""


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def check_new_password(password: str, username: str = "") -> None:
    """Length 12-128 and not a common password; no composition rules (ASVS 5.0 V6.2)."""
    config = current_app.config
    if len(password) < config["STAFF_PASSWORD_MIN_LENGTH"]:
        raise PasswordRejected(
            f"Use at least {config['STAFF_PASSWORD_MIN_LENGTH']} characters; "
            "a few unrelated words make a good password.")
    if len(password) > config["STAFF_PASSWORD_MAX_LENGTH"]:
        raise PasswordRejected(f"Use at most {config['STAFF_PASSWORD_MAX_LENGTH']} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or (username and lowered == username.lower()):
        raise PasswordRejected("That password is too common; choose another.")


def hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["STAFF_ARGON2_TIME_COST"],
                          memory_cost=config["STAFF_ARGON2_MEMORY_KIB"],
                          parallelism=1, type=Type.ID)


def hash_password(password: str) -> str:
    return hasher().hash(password)


@cache
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return hasher().hash(new_token(24))


def verify_password(user: StaffUser | None, password: str) -> bool:
    """Always runs one argon2 verification, so unknown users take as long as real ones."""
    config = current_app.config
    stored = user.password_hash if user else _dummy_hash(
        config["STAFF_ARGON2_TIME_COST"], config["STAFF_ARGON2_MEMORY_KIB"])
    try:
        hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher().check_needs_rehash(stored):
        staff_store.set_password_hash(user.id, hash_password(password))
    return True


# --- throttling -------------------------------------------------------------------------------

def _keyed(*parts: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def username_key(username: str) -> str:
    """A keyed hash of what was typed, so failures are counted without storing usernames."""
    return _keyed(username.strip().lower())


def address_key(username: str) -> str:
    """A keyed hash of what was typed and the client's address (never stored as such)."""
    return _keyed(username.strip().lower(), request.remote_addr or "")


def throttle(max_failures: int | None = None) -> Throttle:
    config = current_app.config
    return Throttle(
        max_failures=max_failures or config["STAFF_LOGIN_MAX_FAILURES"],
        lock_seconds=config["STAFF_LOGIN_LOCK_SECONDS"],
        max_lock_seconds=config["STAFF_LOGIN_LOCK_MAX_SECONDS"],
        memory=timedelta(seconds=config["STAFF_LOGIN_FAILURE_MEMORY_SECONDS"]))


def reserve_attempt(username: str, now: datetime) -> list[int] | None:
    """Failures count per username and client address (STAFF_LOGIN_MAX_FAILURES), so a stranger
    guessing from elsewhere pauses only their own guessing, not the member of staff at the desk;
    and per username from every address together under a much higher limit
    (STAFF_LOGIN_ACCOUNT_MAX_FAILURES), so guessing spread over many addresses still meets one."""
    account_limit = current_app.config["STAFF_LOGIN_ACCOUNT_MAX_FAILURES"]
    return staff_store.reserve_login_attempt(
        [(address_key(username), throttle()), (username_key(username), throttle(account_limit))],
        now)


def forget_failures(username: str) -> None:
    """A full sign-in clears this address's failures; the account-wide count ages out."""
    staff_store.clear_login_failures(address_key(username))


# --- password step ----------------------------------------------------------------------------

def normalise_username(typed: str) -> str:
    return (typed or "").strip().lower()


def is_active(user: StaffUser | None, now: datetime) -> bool:
    return bool(user and not user.disabled and (user.expires_at is None or now < user.expires_at))


def check_password(username: str, password: str) -> StaffUser | None:
    """The user when the password is right, the account usable and the username not throttled;
    None otherwise, after the same work either way. Failures and successes are audited."""
    now = utcnow()
    username = normalise_username(username)
    user = staff_store.user_by_username(username) if len(username) <= 64 else None
    attempt = reserve_attempt(username, now)
    if attempt is None:
        verify_password(None, password)  # same work as any other refusal
        staff_store.record_login("throttled", user.id if user else None)
        return None
    if not (verify_password(user, password) and is_active(user, now)):
        staff_store.record_login("failure", user.id if user else None)
        return None
    if current_app.config["STAFF_TOTP_REQUIRED"]:
        staff_store.release_login_attempt(attempt)  # the code step still counts failures
    else:
        forget_failures(username)
    staff_store.record_login("success", user.id, action="login_password")
    return user


# --- TOTP -------------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def totp_uri(user: StaffUser) -> str:
    issuer = current_app.config["STAFF_TOTP_ISSUER"]
    return pyotp.TOTP(user.totp_secret, interval=TOTP_STEP_SECONDS).provisioning_uri(
        name=user.username, issuer_name=issuer)


def matching_step(secret: str | None, code: str, now: datetime) -> int | None:
    """The 30-second step (now, or one either side for clock drift) whose code was typed."""
    code = "".join((code or "").split())
    if not (secret and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: StaffUser, code: str, enrol: bool = False) -> bool:
    """A valid code not used before, under the same per-username throttle as passwords."""
    now = utcnow()
    attempt = reserve_attempt(user.username, now)
    if attempt is None:
        staff_store.record_login("throttled", user.id)
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None or not is_active(user, now) or \
            not staff_store.accept_totp_step(user.id, step, now, enrol=enrol):
        staff_store.record_login("failure", user.id)
        return False
    forget_failures(user.username)
    return True


# --- sessions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    stage: str
    token_hash: str


def new_session_token() -> str:
    return new_token(32)  # 256 bits


def cookie_token() -> str | None:
    return read_cookie(current_app.config["STAFF_COOKIE_NAME"])


def start_session(user: StaffUser, stage: str) -> str:
    """A fresh token for every stage of sign-in; the one the browser had is deleted."""
    token, now = new_session_token(), utcnow()
    old = cookie_token()
    audit_row = ("login", "success") if stage == "full" else None
    staff_store.create_session(token_hash(token), user.id, stage, now,
                               replaces=token_hash(old) if old else None, audit_row=audit_row)
    return token


def current(stage: str = "full", touch: bool = True) -> SignedIn | None:
    """The signed-in user for this request's cookie, or None (expired sessions are deleted).
    touch: this request counts as activity and restarts the idle timeout."""
    token = cookie_token()
    if not token:
        return None
    row = staff_store.session_by_hash(token_hash(token))
    if row is None or row.stage != stage:
        return None
    now, config = utcnow(), current_app.config
    idle = timedelta(seconds=config["STAFF_SESSION_IDLE_SECONDS"] if stage == "full"
                     else config["STAFF_LOGIN_STEP_SECONDS"])
    absolute = timedelta(seconds=config["STAFF_SESSION_ABSOLUTE_SECONDS"])
    user = staff_store.user_by_id(row.user_id)
    if now - row.last_seen > idle or now - row.created_at > absolute or not is_active(user, now):
        staff_store.end_session(row.token_hash)
        return None
    if stage == "full" and touch:
        staff_store.touch_session(row.id, now)
    return SignedIn(user, stage, row.token_hash)


def end_session(signed_in: SignedIn) -> None:
    staff_store.end_session(signed_in.token_hash, audit_user=signed_in.user.id)


def purge_expired_sessions(now: datetime) -> int:
    config = current_app.config
    return staff_store.purge_sessions(
        now - timedelta(seconds=config["STAFF_SESSION_IDLE_SECONDS"]),
        now - timedelta(seconds=config["STAFF_SESSION_ABSOLUTE_SECONDS"]))

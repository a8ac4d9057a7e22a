"""Every database read and write the staff side needs; views and the CLI never touch the session.

Writes go through `write_transaction()` (BEGIN IMMEDIATE on SQLite), so a check and the write that
depends on it (a rate limit and its counter row, a TOTP step and its replay guard) are one unit
shared by every gunicorn worker.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, text, update
from sqlalchemy.exc import IntegrityError

from screening.database import db, write_transaction
from screening.models import Submission
from screening.staff import audit
from screening.staff.models import LoginFailure, StaffSession, StaffUser
from screening.staff.throttle import Throttle, locked_until


class DuplicateUsername(Exception):
    """One account per person: the username is taken."""


# --- accounts ---------------------------------------------------------------------------------

def user_by_username(username: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.username == username))


def user_by_id(user_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def list_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.username)))


def usernames(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(StaffUser.id, StaffUser.username)
                              .where(StaffUser.id.in_(user_ids)))
    return dict(rows.all())


def create_user(username: str, role: str, password_hash: str, action: str,
                expires_at: datetime | None = None) -> StaffUser:
    try:
        with write_transaction() as session:
            user = StaffUser(username=username, role=role, password_hash=password_hash,
                             expires_at=expires_at, disabled=False)
            session.add(user)
            session.flush()
            audit.add(session, action, "success", object_id=str(user.id), source="cli")
    except IntegrityError as error:
        raise DuplicateUsername(username) from error
    return user


def disable_user(user_id: int) -> None:
    with write_transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.id == user_id).values(disabled=True))
        session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        audit.add(session, "account_disable", "success", object_id=str(user_id), source="cli")


def enable_user(user_id: int) -> None:
    with write_transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.id == user_id).values(disabled=False))
        audit.add(session, "account_enable", "success", object_id=str(user_id), source="cli")


def reset_user(user_id: int, password_hash: str) -> None:
    """New password; the authenticator must be enrolled again; every session ends."""
    with write_transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.id == user_id).values(
            password_hash=password_hash, totp_secret=None, totp_last_step=None,
            totp_enrolled_at=None))
        session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        audit.add(session, "account_reset", "success", object_id=str(user_id), source="cli")


def set_password_hash(user_id: int, password_hash: str) -> None:
    with write_transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.id == user_id)
                        .values(password_hash=password_hash))


def begin_totp_enrolment(user_id: int, secret: str) -> str:
    """Store a new secret unless an enrolment is already under way; return the one in force."""
    with write_transaction() as session:
        session.execute(update(StaffUser).where(
            StaffUser.id == user_id, StaffUser.totp_secret.is_(None)).values(totp_secret=secret))
    db.session.expire_all()
    return user_by_id(user_id).totp_secret


def accept_totp_step(user_id: int, step: int, now: datetime, enrol: bool = False) -> bool:
    """Record `step` as used, only if it is later than every step used before (no replay)."""
    values = {"totp_last_step": step}
    if enrol:
        values["totp_enrolled_at"] = now
    with write_transaction() as session:
        result = session.execute(update(StaffUser).where(
            StaffUser.id == user_id,
            (StaffUser.totp_last_step.is_(None)) | (StaffUser.totp_last_step < step),
        ).values(**values))
        accepted = result.rowcount == 1
        if enrol and accepted:
            audit.add(session, "totp_enrol", "success", user_id=user_id,
                      object_id=str(user_id), at=now)
    db.session.expire_all()
    return accepted


# --- sessions ---------------------------------------------------------------------------------

def create_session(token_hash: str, user_id: int, stage: str, now: datetime,
                   replaces: str | None = None, audit_row: tuple | None = None) -> None:
    with write_transaction() as session:
        if replaces:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == replaces))
        session.add(StaffSession(token_hash=token_hash, user_id=user_id, stage=stage,
                                 created_at=now, last_seen=now))
        if audit_row:
            audit.add(session, *audit_row, user_id=user_id, object_id=str(user_id), at=now)


def session_by_hash(token_hash: str) -> StaffSession | None:
    return db.session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash))


def touch_session(session_id: int, now: datetime) -> None:
    with write_transaction() as session:
        session.execute(update(StaffSession).where(StaffSession.id == session_id)
                        .values(last_seen=now))


def end_session(token_hash: str, audit_user: int | None = None) -> None:
    with write_transaction() as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))
        if audit_user is not None:
            audit.add(session, "logout", "success", user_id=audit_user,
                      object_id=str(audit_user))


def purge_sessions(idle_before: datetime, created_before: datetime) -> int:
    with write_transaction() as session:
        return session.execute(delete(StaffSession).where(
            (StaffSession.last_seen < idle_before) | (StaffSession.created_at < created_before)
        )).rowcount


# --- login throttling -------------------------------------------------------------------------

def _serialise_per_key(session, key: str) -> None:
    # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a lock per username.
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def reserve_login_attempt(limits: list[tuple[str, Throttle]], now: datetime) -> list[int] | None:
    """Atomically: refuse (None) while any throttle holds its key, else record this attempt as a
    failure in advance under every key and return the ids (released on success)."""
    with write_transaction() as session:
        for key, _throttle in sorted(limits):
            _serialise_per_key(session, key)
        memory = max(throttle.memory for _key, throttle in limits)
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - memory))
        for key, throttle in limits:
            times = list(session.scalars(select(LoginFailure.at).where(
                LoginFailure.username_key == key, LoginFailure.at >= now - throttle.memory)
                .order_by(LoginFailure.at)))
            until = locked_until(times, throttle)
            if until is not None and now < until:
                return None
        attempts = [LoginFailure(username_key=key, at=now) for key, _throttle in limits]
        session.add_all(attempts)
        session.flush()
        return [attempt.id for attempt in attempts]


def release_login_attempt(attempt_ids: list[int]) -> None:
    with write_transaction() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt_ids)))


def clear_login_failures(key: str) -> None:
    with write_transaction() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.username_key == key))


def record_login(outcome: str, user_id: int | None, action: str = "login") -> None:
    audit.record(action, outcome, user_id=user_id,
                 object_id=str(user_id) if user_id is not None else None)


# --- submissions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lookup:
    outcome: str  # "success", "failure" (well-formed, no match), "invalid", "rate_limited"
    submission: Submission | None = None


def lookup(user_id: int, code: str | None, now: datetime, caps: dict) -> Lookup:
    """Find a submission by its code under the per-account and global failure caps; audited."""
    hour_ago = now - timedelta(hours=1)
    with write_transaction() as session:
        if (audit.count("lookup", "failure", hour_ago, user_id) >= caps["per_user"]
                or audit.count("lookup", "failure", hour_ago) >= caps["global"]):
            result = Lookup("rate_limited")
        elif code is None:
            result = Lookup("invalid")
        else:
            found = session.scalar(select(Submission).where(
                Submission.has_code(code), Submission.created_at >= now - caps["code_lifetime"]))
            result = Lookup("success", found) if found else Lookup("failure")
        audit.add(session, "lookup", result.outcome, user_id=user_id,
                  object_id=result.submission.public_id if result.submission else None, at=now)
    return result


def submission(public_id: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.public_id == public_id))


SAFETY_ORDER = case(
    {"acute": 0, "asq_positive": 1, "item9": 2}, value=Submission.safety_level, else_=3)


def submissions_between(start: datetime, end: datetime) -> list[Submission]:
    """Urgent first (acute, ASQ positive, item 9), then newest first."""
    return list(db.session.scalars(
        select(Submission)
        .where(Submission.created_at >= start, Submission.created_at < end)
        .order_by(SAFETY_ORDER, Submission.created_at.desc(), Submission.id.desc())))


def unacknowledged_flags_before(start: datetime) -> list[Submission]:
    """Safety flags from earlier days that nobody has acknowledged: they stay on the queue."""
    return list(db.session.scalars(
        select(Submission)
        .where(Submission.created_at < start, Submission.safety_level != "none",
               Submission.acknowledged_at.is_(None))
        .order_by(SAFETY_ORDER, Submission.created_at.desc(), Submission.id.desc())))


def audited(action: str, outcome: str, user_id: int | None, object_id: str | None,
            source: str = "web") -> None:
    audit.record(action, outcome, user_id=user_id, object_id=object_id, source=source)


def mark_printed(public_id: str, user_id: int, now: datetime) -> None:
    """The first print time is kept; every print is audited."""
    with write_transaction() as session:
        session.execute(update(Submission).where(
            Submission.public_id == public_id, Submission.printed_at.is_(None),
        ).values(printed_at=now))
        audit.add(session, "print", "success", user_id=user_id, object_id=public_id, at=now)
    db.session.expire_all()


def acknowledge(public_id: str, user_id: int, now: datetime) -> None:
    """The first acknowledgement stands; later presses are audited but change nothing."""
    with write_transaction() as session:
        session.execute(update(Submission).where(
            Submission.public_id == public_id, Submission.acknowledged_at.is_(None),
        ).values(acknowledged_at=now, acknowledged_by=user_id))
        audit.add(session, "acknowledge", "success", user_id=user_id, object_id=public_id,
                  at=now)
    db.session.expire_all()

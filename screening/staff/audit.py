"""The staff audit trail: one append-only row per sign-in, lookup, view, print, export and account
change (HIPAA §164.312(b); ASVS 5.0 V16). Rows hold ids, never codes, answers or typed usernames.
"""

from datetime import datetime

from sqlalchemy import func, select

from screening.clock import utcnow
from screening.database import db, write_transaction
from screening.staff.models import AuditEvent

ACTIONS = frozenset({
    "login_password", "login", "logout", "totp_enrol",
    "queue", "lookup", "view", "print", "view_print", "acknowledge", "export", "export_day",
    "account_create", "account_disable", "account_enable", "account_reset",
    "account_emergency",
})
OUTCOMES = frozenset({"success", "failure", "invalid", "throttled", "rate_limited", "denied"})


def add(session, action: str, outcome: str, user_id: int | None = None,
        object_id: str | None = None, source: str = "web", at: datetime | None = None) -> None:
    """Add a row inside a write transaction the caller already holds."""
    if action not in ACTIONS or outcome not in OUTCOMES:
        raise ValueError(f"unknown audit action or outcome: {action!r} {outcome!r}")
    session.add(AuditEvent(at=at or utcnow(), user_id=user_id, action=action,
                           object_id=object_id, outcome=outcome, source=source))


def record(action: str, outcome: str, user_id: int | None = None,
           object_id: str | None = None, source: str = "web") -> None:
    """Write one row in its own committed transaction."""
    with write_transaction() as session:
        add(session, action, outcome, user_id=user_id, object_id=object_id, source=source)


def count(action: str, outcome: str, since: datetime, user_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.outcome == outcome, AuditEvent.at >= since)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return db.session.scalar(query)


def events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))

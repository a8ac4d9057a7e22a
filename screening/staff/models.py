"""Staff-side tables: accounts, server-side sessions, login failures and the append-only audit log.

Audit rows have no foreign keys on purpose: purging submissions or retiring an account must never
cascade into (that is, update or delete) the audit trail, which refuses both.
"""

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import db
from screening.models import UTCDateTime


class StaffUser(db.Model):
    """One account per person (no shared logins). Usernames are stored lower-case.

    `totp_secret` without `totp_enrolled_at` is an enrolment in progress; `totp_last_step` is the
    last accepted 30-second step, so a code is never accepted twice.
    """

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffSession(db.Model):
    """One signed-in browser. The cookie holds a 256-bit token; only its SHA-256 is stored.

    `stage` is "password" between the password and the code pages, "full" once signed in.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginFailure(db.Model):
    """A failed (or in-flight) sign-in, recorded twice: under a keyed hash of the username typed
    and the client's address, and under a keyed hash of the username alone (staff/auth.py).

    Unknown usernames are counted the same way as real ones, so throttling reveals nothing; the
    username itself is not stored.
    """

    __tablename__ = "staff_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_staff_login_failures_key_at", "username_key", "at"),)


class AuditEvent(db.Model):
    """Who did what to which object, and how it went. Append-only (see the triggers below)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8), default="web")

    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)


APPEND_ONLY = "audit log is append-only"

_SQLITE_TRIGGERS = [
    DDL(f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    for verb in ("UPDATE", "DELETE")
]

# INSERT OR REPLACE / REPLACE INTO deletes the old row without firing the delete trigger (SQLite
# fires it only with recursive_triggers on): an insert may never reuse an id already in the log.
_SQLITE_TRIGGERS.append(DDL(
    "CREATE TRIGGER audit_events_no_rewrite BEFORE INSERT ON audit_events "
    "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"))

_POSTGRES_TRIGGERS = [
    DDL("CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege'; "
        "END; $$"),
    DDL("CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"),
    DDL("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"),
    DDL("CREATE OR REPLACE FUNCTION audit_events_new_id_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) THEN "
        "RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = 'insufficient_privilege'; "
        "END IF; RETURN NEW; END; $$"),
    DDL("CREATE TRIGGER audit_events_no_rewrite BEFORE INSERT ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_new_id_only()"),
]

for _ddl in _SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in _POSTGRES_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))

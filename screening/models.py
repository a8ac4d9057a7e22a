"""The patient tables: drafts and submissions (the staff tables are in staff/models.py).

Portable column types only, so SQLite and PostgreSQL share one schema. Answers (with the safety
history inside them) and reference codes are stored encrypted (screening/encryption.py); the
column types decrypt them as they are read, so the rest of the app sees plain values.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.types import TypeDecorator

from screening.clock import utcnow
from screening.database import db
from screening.encryption import keys


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as a Fernet token (text) under the configured encryption key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return keys().encrypt(plaintext.encode("utf-8"))

    def process_result_value(self, value, dialect):
        return json.loads(keys().decrypt(value)) if value is not None else None


class EncryptedText(TypeDecorator):
    """A short string stored as a Fernet token under the configured encryption key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return keys().encrypt(value.encode("utf-8")) if value is not None else None

    def process_result_value(self, value, dialect):
        return keys().decrypt(value).decode("utf-8") if value is not None else None


class Draft(db.Model):
    """A patient's unfinished questionnaire, found by the hash of the token in their cookie.

    `version` counts the saves: a save written over the version it read (patient/store.py) cannot
    overwrite another tab's save that landed in between.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    answers: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping


class Submission(db.Model):
    """A finished questionnaire. `draft_key` makes the final submit idempotent.

    The reference code is stored twice, neither in the clear: encrypted (`code`, for the done page
    and every print) and as a keyed HMAC (`code_hmac`, unique and indexed, for reception's lookup).
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(43), unique=True, index=True)
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    code_hmac: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    code: Mapped[str] = mapped_column("code_encrypted", EncryptedText)
    answers: Mapped[dict] = mapped_column(EncryptedJSON)
    language: Mapped[str] = mapped_column(String(8), default="en")
    instrument_version: Mapped[str] = mapped_column(Text)
    safety_level: Mapped[str] = mapped_column(String(16), default="none")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )

    @validates("code")
    def _keep_the_lookup_hmac(self, _key: str, code: str) -> str:
        self.code_hmac = keys().code_hmac(code)
        return code

    @staticmethod
    def code_columns(code: str) -> dict:
        """Column values that store `code` (a normalised code) in an INSERT or UPDATE statement:
        encrypted, and its lookup HMAC (objects set the HMAC themselves when `code` is set)."""
        return {"code": code, "code_hmac": keys().code_hmac(code)}

    @staticmethod
    def has_code(code: str) -> ColumnElement[bool]:
        """Matches the submission whose code is `code`, under the current or the previous key."""
        return Submission.code_hmac.in_(keys().code_hmacs(code))


class DraftStart(db.Model):
    """A new draft started from a client address, kept for a minute to limit how many one address
    starts (patient/store.create_draft). The address is stored only as a keyed hash."""

    __tablename__ = "draft_starts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_draft_starts_address_key_at", "address_key", "at"),)

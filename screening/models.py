"""The patient tables: drafts and submissions (the staff tables are in staff/models.py).

Portable column types only, so SQLite and PostgreSQL share one schema.
"""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from screening.clock import utcnow
from screening.database import db


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Draft(db.Model):
    """A patient's unfinished questionnaire, found by the hash of the token in their cookie."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Submission(db.Model):
    """A finished questionnaire. `draft_key` makes the final submit idempotent."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(43), unique=True, index=True)
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="en")
    instrument_version: Mapped[str] = mapped_column(Text)
    safety_level: Mapped[str] = mapped_column(String(16), default="none")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )


class DraftStart(db.Model):
    """A new draft started from a client address, kept for a minute to limit how many one address
    starts (patient/store.create_draft). The address is stored only as a keyed hash."""

    __tablename__ = "draft_starts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_draft_starts_address_key_at", "address_key", "at"),)

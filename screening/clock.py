"""The one clock: aware UTC datetimes, stored as naive UTC (models.UTCDateTime)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)

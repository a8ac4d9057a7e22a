"""How long repeated sign-in failures pause a username: a pure rule the store applies inside the
same transaction that records the attempt (OWASP Authentication cheat sheet: a growing delay,
never a permanent lockout)."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Throttle:
    max_failures: int
    lock_seconds: int
    max_lock_seconds: int
    memory: timedelta  # failures older than this are forgotten


def locked_until(failures: list[datetime], throttle: Throttle) -> datetime | None:
    """`max_failures` failures lock the username for `lock_seconds` after the latest; each
    further failure doubles the wait, up to `max_lock_seconds`."""
    if len(failures) < throttle.max_failures:
        return None
    extra = len(failures) - throttle.max_failures
    wait = min(throttle.lock_seconds * 2 ** min(extra, 16), throttle.max_lock_seconds)
    return failures[-1] + timedelta(seconds=wait)

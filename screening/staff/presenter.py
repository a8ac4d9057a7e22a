"""What the desk shows: queue rows, clinic-local times, flags as symbol and text."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from screening import i18n
from screening.clock import utcnow
from screening.domain import codes, summary
from screening.filters import local_datetime

if TYPE_CHECKING:  # rows come from the store; this module only reads them
    from screening.models import Submission

FLAGS = {  # symbol and text, never colour alone
    "acute": ("⚠⚠", _l("Acute: ASQ acuity “yes” – see now")),
    "asq_positive": ("⚠", _l("ASQ positive")),
    "item9": ("⚠", _l("PHQ-9 item 9 above 0")),
    "none": ("–", _l("None")),
}


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def today() -> tuple[datetime, datetime]:
    local = utcnow().astimezone(clinic_zone())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)  # wall-clock arithmetic: DST days stay whole


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(clinic_zone()).strftime("%H:%M") if moment else ""


def clock_now() -> str:
    """The clinic's time now, "14:05": when the queue was last fetched."""
    return _clock(utcnow())


def acknowledgement(found: Submission, names: dict[int, str]) -> str | None:
    if not found.acknowledged_at:
        return None
    who = names.get(found.acknowledged_by, _("a former account"))
    return _("%(who)s at %(when)s", who=who, when=local_datetime(found.acknowledged_at))


def build(found: Submission):
    """The summary in the clinic's language (the patient may have answered in another)."""
    return summary.build(found.answers, found.created_at.date(), i18n.clinic_language())


def queue_row(found: Submission, names: dict[int, str], with_date: bool = False) -> dict:
    result = build(found)
    phq9 = result.phq9
    when = found.created_at.astimezone(clinic_zone()).strftime("%d %b %H:%M") if with_date \
        else _clock(found.created_at)
    return {
        "public_id": found.public_id, "time": when,
        "code": codes.display(found.code), "safety_level": found.safety_level,
        "phq9": f"{phq9.total} / 27 – {phq9.band.label}" if phq9.total is not None else "—",
        "verdict": result.treatment.resistance.label,
        "flag": FLAGS.get(found.safety_level, FLAGS["none"]),
        "printed": _clock(found.printed_at), "acknowledged": acknowledgement(found, names),
        "sent_early": result.safety.sent_early,
    }

"""Jinja filters and helpers: local times for staff, accessible attributes for inputs."""

from zoneinfo import ZoneInfo

from babel.dates import format_date, get_month_names
from flask import Flask, current_app
from flask_babel import get_locale


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_time)
    app.add_template_filter(long_date)
    app.add_template_global(input_attributes)


def input_attributes(field, width: str = "", inputmode: str = "") -> dict:
    """HTML attributes for a text-like input: error state and hint wiring for screen readers."""
    described_by = [f"{field.id}-hint"] if field.description else []
    described_by += [f"{field.id}-error"] if field.errors else []
    attributes = {"autocomplete": "off"}
    if field.type not in ("BooleanField",):
        attributes["class"] = f"input {width}".strip()
    if inputmode:
        attributes["inputmode"] = inputmode
    if field.errors:
        attributes["aria-invalid"] = "true"
    if described_by:
        attributes["aria-describedby"] = " ".join(described_by)
    return attributes


def local_datetime(moment) -> str:
    """"27 Nov 2026, 14:05 EST" in the clinic's time zone; the month in the page's language."""
    local = moment.astimezone(ZoneInfo(current_app.config["CLINIC_TIMEZONE"]))
    locale = get_locale()
    if locale is None or locale.language == "en":
        return local.strftime("%d %b %Y, %H:%M %Z")
    month = get_month_names("abbreviated", locale=locale)[local.month].rstrip(".")
    return f"{local:%d} {month} {local:%Y, %H:%M %Z}"


def local_time(moment) -> str:
    """"14:05" in the clinic's time zone: when a safety answer was given or changed."""
    return moment.astimezone(ZoneInfo(current_app.config["CLINIC_TIMEZONE"])).strftime("%H:%M")


def long_date(day) -> str:
    """"Wednesday 2 December 2026" in the page's language ("miércoles, 2 de diciembre de 2026")."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return format_date(day, "EEEE d MMMM y", locale="en")
    return format_date(day, format="full", locale=locale)

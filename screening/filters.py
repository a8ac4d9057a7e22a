"""Jinja filters for dates shown to reception and clinicians."""

from zoneinfo import ZoneInfo

from flask import Flask, current_app


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime)


def local_datetime(moment) -> str:
    zone = ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
    return moment.astimezone(zone).strftime("%d %b %Y, %H:%M %Z")

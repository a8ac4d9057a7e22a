"""Default settings; the instance folder's `config.py` and FLASK_* variables override them."""

from datetime import timedelta

PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - the value the app refuses to serve with

DEFAULTS = {
    "SECRET_KEY": PLACEHOLDER_SECRET,
    "SQLALCHEMY_DATABASE_URI": None,  # None: a SQLite file in the instance folder
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_PARTS": 200,
    # A patient may pause on a page for hours; the token lives as long as the session cookie.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_NAME": "csrf",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=72),
    "DRAFT_COOKIE_NAME": "draft",
    "DRAFT_RETENTION_HOURS": 72,
    "SUBMISSION_RETENTION_DAYS": 30,
    "CRISIS_RESOURCES_FILE": None,
    "CLINIC_NAME": "the clinic",
    "CLINIC_TIMEZONE": "America/New_York",
    "STATIC_MAX_AGE": 3600,
    "LOG_REQUESTS": False,
}

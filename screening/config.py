"""Default settings; the instance folder's `config.py` and FLASK_* variables override them."""

from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - the value the app refuses to serve with

DEFAULTS = {
    "SECRET_KEY": PLACEHOLDER_SECRET,
    "SQLALCHEMY_DATABASE_URI": None,  # None: a SQLite file in the instance folder
    # Fernet keys the answers and codes are encrypted under (screening/encryption.py); required
    # outside debug and testing. The previous key is read while `flask reencrypt` rotates.
    "ANSWERS_ENCRYPTION_KEY": None,
    "ANSWERS_ENCRYPTION_PREVIOUS_KEY": None,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # A connection the database server dropped (restart, idle timeout) is replaced before use.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_recycle": 1800},
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_PARTS": 200,
    # A patient may pause on a page for hours; the token lives as long as the session cookie.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_CHECK_DEFAULT": False,  # security.check_unsafe_request checks every POST instead
    # Not Referer (stripped by some browsers): security.from_this_site checks Origin instead.
    "WTF_CSRF_SSL_STRICT": False,
    "SESSION_COOKIE_NAME": "csrf",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=72),
    "DRAFT_COOKIE_NAME": "draft",
    "DRAFT_RETENTION_HOURS": 72,
    # New questionnaires one client address may start in any minute (counted in the database,
    # as a keyed hash of the address); None or 0: no limit (a load test from one machine).
    "DRAFT_STARTS_PER_ADDRESS_MINUTE": 30,
    "SUBMISSION_RETENTION_DAYS": 30,
    "CRISIS_RESOURCES_FILE": None,
    "CLINIC_NAME": "the clinic",
    "CLINIC_TIMEZONE": "America/New_York",
    # Staff pages and the printed clinician summary; patients choose their own ("en" or "es").
    "CLINIC_LANGUAGE": "en",
    "LANGUAGE_COOKIE_NAME": "lang",  # holds only "en" or "es", for visitors without a draft
    "LOG_REQUESTS": False,
    # How many proxies in front of the app set X-Forwarded-For / X-Forwarded-Proto (0 = trust none).
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    # Staff side (README "Staff accounts"; shared/reference/security-performance.md A1, A3, A4).
    # `__Host-` needs Secure: browsers accept it over HTTPS and on http://127.0.0.1 / localhost.
    "STAFF_COOKIE_NAME": "__Host-staff",
    "STAFF_SESSION_IDLE_SECONDS": 15 * 60,
    "STAFF_SESSION_ABSOLUTE_SECONDS": 8 * 3600,
    "STAFF_LOGIN_STEP_SECONDS": 5 * 60,  # between the password page and the code page
    # False is a documented deviation (ASVS 5.0 V6.3.3) for clinics that cannot use an app.
    "STAFF_TOTP_REQUIRED": True,
    "STAFF_TOTP_ISSUER": "Intake screening",
    "STAFF_PASSWORD_MIN_LENGTH": 12,
    "STAFF_PASSWORD_MAX_LENGTH": 128,
    "STAFF_ARGON2_TIME_COST": 3,
    "STAFF_ARGON2_MEMORY_KIB": 19 * 1024,
    "STAFF_LOGIN_MAX_FAILURES": 5,  # per username and client address
    "STAFF_LOGIN_ACCOUNT_MAX_FAILURES": 50,  # per username, all addresses together
    "STAFF_LOGIN_LOCK_SECONDS": 60,
    "STAFF_LOGIN_LOCK_MAX_SECONDS": 15 * 60,
    "STAFF_LOGIN_FAILURE_MEMORY_SECONDS": 3600,
    "STAFF_LOOKUP_FAILURES_PER_USER_HOUR": 30,
    "STAFF_LOOKUP_FAILURES_GLOBAL_HOUR": 1000,
    "STAFF_CODE_LOOKUP_HOURS": 72,
    # How often the open queue page fetches the queue again (static/queue.js); at most 30.
    "STAFF_QUEUE_REFRESH_SECONDS": 30,
}

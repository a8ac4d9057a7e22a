"""Response headers on every response, errors included, and the checks on every POST: Flask-WTF's
CSRF token and the cross-site refusal."""

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

# connect-src 'self': the staff queue fetches its own tables again (static/queue.js); still no
# third-party request of any kind.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session (it carries only Flask-WTF's CSRF token), Secure whenever
    the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure


def cookie_flags(name: str, samesite: str = "Lax") -> dict:
    """The attributes of every cookie the app sets: HttpOnly, path /, Secure over HTTPS.

    A `__Host-` name must be Secure; browsers accept that on https and on http://127.0.0.1.
    """
    secure = name.startswith("__Host-") or request.is_secure
    return {"key": name, "path": "/", "secure": secure, "httponly": True, "samesite": samesite}


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.before_request(check_unsafe_request)
    app.wsgi_app = SecurityHeaders(app.wsgi_app, static_prefix=f"{app.static_url_path}/")


def check_unsafe_request():
    """A request that can change something needs Flask-WTF's CSRF token and must not come from
    another site (Sec-Fetch-Site). GETs have neither to check.

    Flask-WTF's own hook (off: WTF_CSRF_CHECK_DEFAULT in config.py) looks up the view's exemptions
    before it looks at the method, on every GET; this is its documented manual form.
    """
    if request.method in SAFE_METHODS:
        return
    config = current_app.config
    if (request.content_length or 0) > config["MAX_CONTENT_LENGTH"]:
        abort(413)
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


# No Pragma: Cache-Control: no-store is what every browser and proxy in use honours (A5).
PAGE_HEADERS = [*HEADERS.items(), ("Cache-Control", "no-store")]
STATIC_HEADERS = [*HEADERS.items(), ("Cache-Control", "public, max-age=3600")]
_REPLACED = {name.lower() for name, _value in PAGE_HEADERS} | {"server"}


class SecurityHeaders:
    """WSGI middleware that puts our headers on every response the app sends, errors included.

    Ours replace any a view set, so no view can weaken them. Added here rather than in an
    after_request hook: the headers are fixed, and Werkzeug would check and copy each of them
    again on every response.
    """

    def __init__(self, wsgi_app, static_prefix: str):
        self.wsgi_app = wsgi_app
        self.static_prefix = static_prefix

    def __call__(self, environ, start_response):
        static = environ.get("PATH_INFO", "").startswith(self.static_prefix)
        ours = STATIC_HEADERS if static else PAGE_HEADERS

        def start_with_ours(status, headers, exc_info=None):
            kept = [header for header in headers if header[0].lower() not in _REPLACED]
            return start_response(status, kept + ours, exc_info)

        return self.wsgi_app(environ, start_with_ours)

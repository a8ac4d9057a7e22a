"""Response headers on every response, errors included, and the checks on every POST: Flask-WTF's
CSRF token and the cross-site refusal."""

from io import BytesIO

from flask import Flask, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden

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

    def get_cookie_name(self, app):
        return cookie_name(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_secure(self, app):
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure


HOST_PREFIX = "__Host-"


def cookie_name(name: str) -> str:
    """The name a configured cookie has in this request: `__Host-` + name over HTTPS.

    A `__Host-` cookie can be set only by this host, over HTTPS, for path /: a sibling subdomain
    or a plain-HTTP page cannot plant one (for example a draft cookie that would collect a
    patient's answers). Over HTTPS only the prefixed name is read.
    """
    if request.is_secure and not name.startswith(HOST_PREFIX):
        return HOST_PREFIX + name
    return name


def read_cookie(name: str) -> str | None:
    return request.cookies.get(cookie_name(name))


def cookie_flags(name: str, samesite: str = "Lax") -> dict:
    """The attributes of every cookie the app sets: HttpOnly, path /, Secure over HTTPS, and the
    `__Host-` prefix over HTTPS (cookie_name).

    A `__Host-` name must be Secure; browsers accept that on https and on http://127.0.0.1.
    """
    name = cookie_name(name)
    secure = name.startswith(HOST_PREFIX) or request.is_secure
    return {"key": name, "path": "/", "secure": secure, "httponly": True, "samesite": samesite}


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.before_request(check_unsafe_request)
    app.wsgi_app = SecurityHeaders(BodyLimit(app.wsgi_app, app.config),
                                   static_prefix=f"{app.static_url_path}/")


def renew_csrf_token() -> None:
    """Forget this browser's CSRF token, so the next page gets a new one (Flask-WTF keeps the raw
    token in the session under the field name, and caches it per request in `g`). Called at each
    stage of staff sign-in: a token learnt before signing in is no use after."""
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    session.pop(field, None)
    g.pop(field, None)


def check_unsafe_request():
    """A request that can change something needs Flask-WTF's CSRF token and must not come from
    another site (Sec-Fetch-Site). GETs have neither to check.

    Flask-WTF's own hook (off: WTF_CSRF_CHECK_DEFAULT in config.py) looks up the view's exemptions
    before it looks at the method, on every GET; this is its documented manual form.
    """
    config = current_app.config
    if request.environ.get(BODY_TOO_LARGE):
        abort(413)
    if request.method in SAFE_METHODS:
        return
    if (request.content_length or 0) > config["MAX_CONTENT_LENGTH"]:
        abort(413)
    if not from_this_site():
        raise OtherSite()
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect()


class OtherSite(Forbidden):
    """A POST that a browser says came from another site; errors.http_error shows `page`."""

    page = (_l("This form was sent from another site"),
            _l("For your safety, answers are accepted only from this site's own pages. Open the "
               "questionnaire from its usual address and try again. Your earlier answers are "
               "saved."))


def from_this_site() -> bool:
    """Sec-Fetch-Site and Origin, where the browser sends them, name this site (scheme, host and
    port). Referer is not used (WTF_CSRF_SSL_STRICT is off): some browsers and privacy tools strip
    it. A browser that sends neither header is let through: the CSRF token still protects."""
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


BODY_TOO_LARGE = "screening.body_too_large"


class BodyLimit:
    """WSGI middleware for bodies sent without a Content-Length (Transfer-Encoding: chunked).

    Werkzeug stops reading such a body at MAX_CONTENT_LENGTH and hands on what it read, so a
    request over the limit would be cut short and processed. Here the body is read up to one byte
    past the limit: over it, the request is marked (check_unsafe_request answers 413) and its body
    dropped; within it, the app sees an ordinary body with its length.
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        if environ.get("CONTENT_LENGTH") in (None, "") and (
                environ.get("wsgi.input_terminated")
                or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()):
            limit = self.config["MAX_CONTENT_LENGTH"]
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                environ[BODY_TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # else Werkzeug ignores CONTENT_LENGTH
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


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

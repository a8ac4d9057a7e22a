"""The browser session: a signed cookie that carries only Flask-WTF's CSRF token (config.py),
and that token as a page carries it.

The session is not permanent and is written only when the token is created, so a patient sends
the same cookie with every request of their visit. Checking its signature and decoding it is
most of the cost of opening the session, on every request. Each worker therefore checks a cookie
once and remembers what it said, in a bounded cache per set of secret keys; the age limit is
still applied on every request, as Flask does. A forged or altered cookie is never in the cache,
so it goes through the full check and is refused as before.

A page's token is Flask-WTF's: the session's token, encoded, then timestamped and signed.
Flask-WTF builds a serializer and encodes the session's token again for every page; the encoded
part never changes within a session, so `csrf_token` keeps it and signs a fresh timestamp for
each request, which gives the same token Flask-WTF would. The signed token still changes every
second, as Flask-WTF's does, so no page carries a fixed secret that compression could give away
(BREACH).
"""

import copy
import time
from functools import lru_cache

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Enough for every patient part-way through the questionnaire at a busy clinic group, per worker.
VERIFIED_COOKIES = 4096
_SCALARS = (str, int, float, bool, type(None))
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, in generate_csrf and validate_csrf


class CsrfSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request came over HTTPS."""

    def __init__(self):
        self._serializers = {}
        self._verifiers = {}

    def get_cookie_secure(self, app):
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure

    def get_signing_serializer(self, app):
        # Flask builds one per request; one per set of keys does, and a rotated key still counts.
        keys = _secret_keys(app)
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        try:
            items, signed_at = self._verifier(app)(cookie)
        except BadSignature:
            return self.session_class()
        age = int(time.time()) - signed_at
        if not 0 <= age <= app.permanent_session_lifetime.total_seconds():
            return self.session_class()
        data = dict(items)
        if not all(isinstance(value, _SCALARS) for value in data.values()):
            data = copy.deepcopy(data)  # the cached values must not change with this session
        return self.session_class(data)

    def save_session(self, app, session, response):
        # Flask works out every cookie attribute before finding, most times, nothing to write.
        refresh = session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        if session.modified or refresh:
            return super().save_session(app, session, response)
        if session.accessed:
            response.vary.add("Cookie")
        return None

    def _verifier(self, app):
        keys = _secret_keys(app)
        if keys not in self._verifiers:
            serializer = self.get_signing_serializer(app)
            self._verifiers[keys] = lru_cache(maxsize=VERIFIED_COOKIES)(
                lambda cookie: _verified(serializer, cookie))
        return self._verifiers[keys]


def _secret_keys(app) -> tuple:
    return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))


def _verified(serializer, cookie: str) -> tuple[tuple, int]:
    """The cookie's contents and when it was signed; raises BadSignature if it was not ours."""
    data, signed_at = serializer.loads(cookie, return_timestamp=True)
    return tuple(data.items()), int(signed_at.timestamp())


def csrf_token() -> str:
    """This request's CSRF token, signed as Flask-WTF's `generate_csrf` signs it.

    Flask-WTF takes the token it finds in `g` for the rest of the request (forms, templates).
    """
    name = current_app.config["WTF_CSRF_FIELD_NAME"]
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    raw = session.get(name)
    if name in g or not isinstance(raw, str) or not secret:
        return generate_csrf()
    token = _csrf_signer(secret).sign(_csrf_payload(secret, raw)).decode()
    setattr(g, name, token)
    return token


@lru_cache(maxsize=8)
def _csrf_serializer(secret) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=CSRF_SALT)


@lru_cache(maxsize=8)
def _csrf_signer(secret):
    return _csrf_serializer(secret).make_signer()


@lru_cache(maxsize=VERIFIED_COOKIES)
def _csrf_payload(secret, raw: str) -> bytes:
    return _csrf_serializer(secret).dump_payload(raw)

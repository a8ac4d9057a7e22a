"""Response headers on every response, errors included, and the cross-site POST refusal."""

from flask import Flask, abort, request

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
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


def init_app(app: Flask) -> None:
    app.before_request(refuse_cross_site_posts)
    app.after_request(add_security_headers)


def refuse_cross_site_posts():
    if request.method not in ("GET", "HEAD", "OPTIONS") and \
            request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


# No Pragma: Cache-Control: no-store is what every browser and proxy in use honours (A5).
PAGE_HEADERS = [*HEADERS.items(), ("Cache-Control", "no-store")]
STATIC_HEADERS = [*HEADERS.items(), ("Cache-Control", "public, max-age=3600")]


def add_security_headers(response):
    """Ours replace any a view set, so no view can weaken them."""
    ours = STATIC_HEADERS if request.endpoint == "static" else PAGE_HEADERS
    present = {name.lower() for name, _value in response.headers}
    for name, value in ours:
        if name.lower() in present:
            response.headers[name] = value
    # Appended in one go: setting each header in turn rescans the list every time.
    response.headers.extend([(name, value) for name, value in ours if name.lower() not in present])
    response.headers.pop("Server", None)
    return response

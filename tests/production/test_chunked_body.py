"""A chunked request body (no Content-Length) over MAX_CONTENT_LENGTH is refused with 413, not cut
short and processed (issue 15.8). Sent over a raw socket to a real gunicorn."""

import contextlib
import socket
from urllib.parse import urlsplit

import requests

from tests.production.helpers import csrf_from, served


def _chunked_post(base: str, path: str, cookies: str, body: bytes) -> tuple[int, bytes]:
    parts = urlsplit(base)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192])
                      for i in range(0, len(body), 8192)) + b"0\r\n\r\n"
    head = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nCookie: {cookies}\r\n"
            f"Connection: close\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        raw.sendall(head)
        with contextlib.suppress(OSError):  # the server may answer before reading it all
            raw.sendall(chunks)
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    return status, reply


def test_a_chunked_body_over_the_limit_is_refused(tmp_path):
    with served(tmp_path) as (base, _env), requests.Session() as session:
        token = csrf_from(session.get(base).text)
        cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        small = f"csrf_token={token}&language=es&next=/".encode()
        status, _reply = _chunked_post(base, "/language", cookies, small)
        assert status == 302  # a chunked body within the limit is fine
        status, reply = _chunked_post(base, "/language", cookies,
                                      small + b"&pad=" + b"A" * (100 * 1024))
        assert status == 413, reply[:300]

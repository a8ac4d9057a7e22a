"""gunicorn settings for serving the app: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment (all optional):
  GUNICORN_BIND          address to listen on, comma-separated for several (default 127.0.0.1:8000)
  WEB_CONCURRENCY        worker processes (default 2 x cores + 1, at most 8)
  GUNICORN_LOG_LEVEL     error-log level (default info)
  FORWARDED_ALLOW_IPS    proxies gunicorn itself trusts for X-Forwarded-Proto (default: none; the
                         app trusts its proxy through the PROXY_FIX_* settings instead)

Privacy (security-performance.md A6): patient IP addresses are never logged. There is no access
log (`accesslog = None`, and the logger below ignores access logging even when a command-line flag
asks for it), the request-line hook is silenced, and any IP address other than the one we listen on
is removed from error-log messages (gunicorn warns "Invalid request from ip=..." on malformed
requests).
"""

import ipaddress
import logging
import os
import re

from gunicorn import glogging

bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
        if b.strip()]

# Sync workers: form posts are short, with no long polling. Several workers on one host share only
# the database, so any number of them is safe. gunicorn's advice, 2 x cores + 1: behind nginx a
# worker is busy only while the app runs, and more workers only add runnable processes that keep a
# worker holding SQLite's write lock from getting a CPU back after its fsync (bench/load.py
# --realistic through nginx on 2 vCPUs, page p95: 600 patients 90 ms with 5 workers, 167 ms with 8;
# 1,000 patients 1.7 s with 5, 2.0 s with 3, 2.2 s with 8, 3.8 s with 16). 8 caps memory
# (≤ 100 MB each) and SQLite writers queueing for the lock on bigger hosts.
MAX_WORKERS = 8
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS)))
worker_class = "sync"

# Longer than SQLite's 5 s busy timeout, so a worker waiting for the write lock answers 503 with
# the patient's answers instead of being killed mid-request.
timeout = 30
graceful_timeout = 15
# Sync workers close the connection after each reply; the TLS proxy keeps the patient's open.
# Serve them only behind that proxy: after each reply a sync worker waits until the other end has
# closed too (gunicorn's graceful close), so a phone on a slow network would hold a worker for its
# round trip, where nginx on loopback closes at once. In bench/load.py --realistic, 1,000 patients
# on 2 vCPUs, 8 workers: page p95 3.9 s straight to gunicorn, 2.2 s through nginx.

# Restart each worker now and then, so a slow leak can never grow a worker past its memory budget.
# Nothing is lost: every answer is in the database before the response is sent. A new worker
# spends about half a second of CPU loading the app, and the workers share the load evenly, so the
# wide jitter keeps them from all restarting in the same few seconds (with 10,000 +- 1,000 they
# did, and throughput halved while they loaded). 100,000 requests is days of a clinic's traffic.
max_requests = 100000
max_requests_jitter = 50000

# No preloading: each worker builds its own app and database engine after the fork, so no SQLite
# handle or pooled connection is ever shared between processes, and `kill -HUP` reloads new code.
preload_app = False

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False
proc_name = "intake-screening"
# Worker heartbeat files in memory, as gunicorn's docs advise for containers (not secrets).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def pre_request(worker, req):
    """Replaces gunicorn's default hook, which logs every request line at debug level."""


_IPV4 = re.compile(r"(?<![0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")


class _RemoveClientAddresses(logging.Filter):
    """Replaces every IP address in a log message, except the addresses we listen on."""

    def __init__(self, keep: set[str]):
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _IPV6.sub(self._replace, _IPV4.sub(self._replace, message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True

    def _replace(self, match: re.Match) -> str:
        text = match.group(0)
        candidate = text if "." in text else text.rstrip(":") or text  # "ip=::1: error"
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            return text  # a time of day or some other colon-separated text
        if str(address) in self.keep:
            return text
        return "[address removed]" + text[len(candidate):]


def _listening_hosts(binds) -> set[str]:
    hosts = set()
    for address in binds:
        host = address.rsplit(":", 1)[0].strip("[]")  # "127.0.0.1:8000", "[::1]:8000"
        try:
            hosts.add(str(ipaddress.ip_address(host)))
        except ValueError:
            continue
    return hosts


class PrivateLogger(glogging.Logger):
    """gunicorn's logger with no access log and no client addresses in the error log."""

    def setup(self, cfg):
        super().setup(cfg)
        for old in [f for f in self.error_log.filters if isinstance(f, _RemoveClientAddresses)]:
            self.error_log.removeFilter(old)
        self.error_log.addFilter(_RemoveClientAddresses(_listening_hosts(cfg.bind)))

    def _compute_access_log_enabled(self):
        return False

    def access(self, resp, req, environ, request_time):
        return


logger_class = PrivateLogger

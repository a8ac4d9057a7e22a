"""Page weight of the patient pages against DESIGN.md §5 (security-performance.md B2).

Starts the app (werkzeug in a thread, temporary SQLite, CSRF on), walks one patient through the
questionnaire with `requests`, and for each page prints: HTML bytes raw and gzip-compressed (level
6, what the TLS proxy sends), the compressed CSS it links, how many requests the page needs (HTML
plus every linked stylesheet, script, image or font, found by parsing the HTML and the CSS), and
the total transferred on a first visit with an empty cache (bodies compressed, headers included).

Budgets: ≤ 14,000 B compressed HTML incl. inline CSS; ≤ 50,000 B first visit; ≤ 3 requests;
0 B of JavaScript; 0 third-party URLs.   Run: .venv/bin/python bench/page_weight.py
"""

import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from benchlib import gzipped_size, machine, scratch_dir, verdict, werkzeug_server
from patient_driver import FixedAnswers, Patient

HTML_BUDGET, FIRST_VISIT_BUDGET, REQUEST_BUDGET = 14_000, 50_000, 3
# The pages DESIGN.md names, by the name the walk gives them: a step id or a page.
PAGES = ["start", "phq9_1", "safety", "episode_start", "trials", "trial form", "review", "done",
         "summary"]
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
RESOURCE_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest",
                 "apple-touch-icon", "prefetch"}


class Links(HTMLParser):
    """What a page makes the browser fetch, and where its forms post."""

    FETCHED_SRC = ("img", "iframe", "embed", "audio", "video", "source", "track", "input")

    def __init__(self):
        super().__init__()
        self.resources: list[tuple[str, str]] = []  # (kind, url)
        self.form_actions: list[str] = []
        self.inline_script = 0
        self.inline_css = ""
        self._in = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rels = set((a.get("rel") or "").lower().split())
        if tag == "link" and rels & RESOURCE_RELS and a.get("href"):
            self.resources.append(("css" if "stylesheet" in rels else "other", a["href"]))
        elif tag == "script":
            self._in = "script"
            if a.get("src"):
                self.resources.append(("js", a["src"]))
        elif tag in self.FETCHED_SRC and a.get("src"):
            self.resources.append(("other", a["src"]))
        elif tag == "object" and a.get("data"):
            self.resources.append(("other", a["data"]))
        elif tag == "form":
            self.form_actions.append(a.get("action") or "")
        elif tag == "style":
            self._in = "style"
        if a.get("style"):
            self.inline_css += a["style"]

    def handle_endtag(self, tag):
        self._in = ""

    def handle_data(self, data):
        if self._in == "script":
            self.inline_script += len(data.encode())
        elif self._in == "style":
            self.inline_css += data


def _fetched(url: str) -> bool:
    return not url.startswith(("data:", "#", "about:"))


def _third_party(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) and f"{parts.scheme}://{parts.netloc}" != origin


def _header_bytes(response) -> int:
    return len("HTTP/1.1 200 OK\r\n") + sum(len(k) + len(v) + 4 for k, v in
                                            response.headers.items()) + 2


def measure(patient: Patient, name: str, url: str, html: str, origin: str) -> dict:
    links = Links()
    links.feed(html)
    raw = html.encode()
    urls = [(kind, urljoin(url, u)) for kind, u in links.resources if _fetched(u)]
    urls += [("other", urljoin(url, u)) for u in CSS_URL.findall(links.inline_css) if _fetched(u)]
    third = [u for _, u in urls if _third_party(u, origin)]
    third += [a for a in links.form_actions if _third_party(urljoin(url, a), origin)]
    page = patient.session.get(url)
    result = {"name": name, "raw": len(raw), "gz": gzipped_size(raw), "css_gz": 0, "js": 0,
              "requests": 1, "first": gzipped_size(raw) + _header_bytes(page),
              "third": len(third), "js_inline": links.inline_script}
    seen = set()
    queue = [(kind, u) for kind, u in urls if not _third_party(u, origin)]
    while queue:
        kind, resource = queue.pop(0)
        if resource in seen:
            continue
        seen.add(resource)
        response = patient.session.get(resource)
        body = response.content
        result["requests"] += 1
        result["first"] += gzipped_size(body) + _header_bytes(response)
        if kind == "css":
            result["css_gz"] += gzipped_size(body)
            queue += [("other", urljoin(resource, u)) for u in CSS_URL.findall(body.decode())
                      if _fetched(u)]
        if kind == "js":
            result["js"] += gzipped_size(body)
    return result


def main() -> int:
    print(f"Page weight  ({machine()})")
    with scratch_dir("bench-weight-") as tmp, \
            werkzeug_server(f"sqlite:///{tmp / 'weight.db'}") as (_app, base):
        patient = Patient(base, FixedAnswers([1, 2, 1, 2, 1, 0, 1, 0, 1]))
        patient.complete()
        first_seen = {}
        for name, url, html in patient.pages:
            first_seen.setdefault(name, (url, html))
        rows = [measure(patient, name, *first_seen[name], base) for name in PAGES]
    print("Budgets (DESIGN.md §5): HTML ≤ 14,000 B gzip incl. inline CSS; first visit ≤ 50,000 B;"
          " ≤ 3 requests; 0 B JavaScript needed; 0 third-party URLs.")
    print("Compressed = gzip level 6 (the app relies on the TLS proxy to compress).")
    header = (f"{'page':<14}{'HTML raw':>10}{'HTML gz':>9}{'CSS gz':>8}{'JS':>5}{'reqs':>6}"
              f"{'3rd':>5}{'1st visit':>11}  result")
    print(header)
    print("-" * len(header))
    failures = 0
    for r in rows:
        problems = [label for label, ok in (
            ("HTML", r["gz"] <= HTML_BUDGET), ("first visit", r["first"] <= FIRST_VISIT_BUDGET),
            ("requests", r["requests"] <= REQUEST_BUDGET), ("JS", r["js"] + r["js_inline"] == 0),
            ("third-party", r["third"] == 0)) if not ok]
        failures += bool(problems)
        print(f"{r['name']:<14}{r['raw']:>10,}{r['gz']:>9,}{r['css_gz']:>8,}"
              f"{r['js'] + r['js_inline']:>5}{r['requests']:>6}{r['third']:>5}{r['first']:>11,}"
              f"  {verdict(not problems)}{' (' + ', '.join(problems) + ')' if problems else ''}")
    later = max(r["gz"] for r in rows)
    print(f"Later steps (stylesheet cached): largest page {later:,} B gzip "
          f"(security-performance.md B2: ≤ 20,000 B)  {verdict(later <= 20_000)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

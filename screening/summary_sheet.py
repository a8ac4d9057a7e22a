"""The one-page summary in one language: the clinician sheet, on screen for staff and printed.

What staff see and print, and what the patient prints to bring, is in the clinic's language
(`CLINIC_LANGUAGE`) and says which language the patient answered in. The summary is built in
`language` (a parameter: its questions, answers and sentences come back as finished strings);
render it inside `i18n.in_language(language)` so the interface text around it matches:

    with i18n.in_language(i18n.clinic_language()) as language:
        return render_template("staff/submission.html", **summary_context(submission, language))

Printing goes through `render_print` only: reception's print and the patient's are one template
(`summary_print.html`) from one builder. Pages after the first carry the code, "Page N of M" and
"not a diagnosis" in their margins, from `pages_css` (a stylesheet: the CSP allows no inline one).
"""

from flask import current_app, render_template
from flask_babel import gettext as _

from screening import i18n
from screening.domain import codes, summary

PRINT_TEMPLATE = "summary_print.html"


def summary_context(submission, language: str) -> dict:
    """What `_summary.html` needs for `submission`, worded in `language`."""
    return {
        "submission": submission,
        "code": codes.display(submission.code),
        "summary": summary.build(submission.answers, submission.created_at.date(), language),
    }


def render_summary(submission, language: str | None = None, **extra) -> str:
    """`_summary.html` alone, in `language` (default: the clinic's, as reception prints it)."""
    with i18n.in_language(language or i18n.clinic_language()) as chosen:
        return render_template("_summary.html", **summary_context(submission, chosen), **extra)


def render_print(submission, *, pages_css_url: str, back_url: str, back_label, **extra) -> str:
    """The clinician sheet to print, in the clinic's language, for reception and for the patient.

    back_label: a lazy string (`_l`), worded in the clinic's language with the rest of the page.
    """
    with i18n.in_language(i18n.clinic_language()) as language:
        return render_template(PRINT_TEMPLATE, pages_css_url=pages_css_url, back_url=back_url,
                               back_label=back_label, **summary_context(submission, language),
                               **extra)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def pages_css(submission):
    """The margin boxes of every page after the first, in the clinic's language, as a response."""
    with i18n.in_language(i18n.clinic_language()):
        left = _("Reference %(code)s", code=codes.display(submission.code))
        right = _("Screening result, not a diagnosis")
        page = _("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
    parts = [_css_string(part) if part not in ("page", "pages") else f"counter({part})"
             for part in page.split("\0") if part]
    body = (
        "@page {\n"
        f"  @top-left {{ content: {_css_string(left)}; }}\n"
        f"  @top-center {{ content: {_css_string(right)}; }}\n"
        f"  @top-right {{ content: {' '.join(parts)}; }}\n"
        "}\n"
        "@page :first {\n"
        "  @top-left { content: none; }\n  @top-center { content: none; }\n"
        "  @top-right { content: none; }\n"
        "}\n"
    )
    response = current_app.response_class(body, mimetype="text/css")
    response.headers["Cache-Control"] = "no-store"
    return response

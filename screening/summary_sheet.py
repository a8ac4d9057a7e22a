"""The one-page summary in one language: the patient's own page and the clinician print.

The patient's `/summary` is in the patient's language; what staff see and print is in the clinic's
language (`CLINIC_LANGUAGE`) and says which language the patient answered in. The summary is built
in `language` (a parameter: its questions, answers and sentences come back as finished strings);
render it inside `i18n.in_language(language)` so the interface text around it matches:

    with i18n.in_language(i18n.clinic_language()) as language:
        return render_template("staff/print.html", **summary_context(submission, language))
"""

from flask import render_template

from screening import i18n
from screening.domain import codes, summary


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

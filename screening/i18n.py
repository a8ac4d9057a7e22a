"""Languages: Flask-Babel for the interface, the patient's language choice, the clinic's language.

A patient page is in, in order of preference: the draft's language (`Draft.language`, so the choice
follows the answers), the `lang` cookie (visitors without a draft; it holds only a language code),
the browser's Accept-Language, English. Staff pages and the clinician print are in the clinic's
language (`CLINIC_LANGUAGE`). Instrument and question wording is not in the catalogues: it lives
per language in the data files (screening/domain/locales.py).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import Babel, force_locale, get_locale
from flask_babel import lazy_gettext as _l

from screening.config import PROJECT_ROOT
from screening.domain import phrases
from screening.domain.locales import DEFAULT_LANGUAGE, LANGUAGES
from screening.security import cookie_flags, read_cookie

# Each language named in itself, for the switch.
NATIVE_NAMES = {"en": "English", "es": "Español"}
# The start page's offer of each language, written in that language.
OFFERS = {
    "en": ("Would you rather answer in English?", "Answer in English"),
    "es": ("¿Prefiere responder en español?", "Responder en español"),
}
# Each language named in the reader's language, for "answered in ...".
LANGUAGE_NAMES = {"en": _l("English"), "es": _l("Spanish")}
COOKIE_MAX_AGE = 30 * 24 * 3600

babel = Babel()
# Parsed once: Flask-Babel would parse the selector's answer again on every request.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    app.config.setdefault("CLINIC_LANGUAGE", DEFAULT_LANGUAGE)
    app.config.setdefault("LANGUAGE_COOKIE_NAME", "lang")
    if app.config["CLINIC_LANGUAGE"] not in LANGUAGES:
        raise RuntimeError(f"CLINIC_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    phrases.check_catalogues()  # a missing catalogue stops start-up, as missing wording does
    babel.init_app(app, locale_selector=select_language)
    app.context_processor(_template_context)


def supported(language: str | None) -> str | None:
    """`language` if the app speaks it, else None."""
    return language if language in LANGUAGES else None


def clinic_language() -> str:
    return current_app.config["CLINIC_LANGUAGE"]


def cookie_language() -> str | None:
    return supported(read_cookie(current_app.config["LANGUAGE_COOKIE_NAME"]))


def browser_language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def select_language() -> Locale:
    """Flask-Babel's locale selector."""
    return _LOCALES[request_language()]


def request_language() -> str:
    """This request's language, in the order the module docstring gives.

    The same answer as `current_language()` outside `in_language`, without going through
    Flask-Babel: a step page asks for it on every request and needs nothing else from Babel.
    """
    if request.blueprint == "staff":
        return clinic_language()
    return supported(g.get("draft_language")) or cookie_language() or browser_language()


def current_language() -> str:
    locale = get_locale()
    return supported(locale.language if locale else None) or DEFAULT_LANGUAGE


@contextmanager
def in_language(language: str) -> Iterator[str]:
    """Render the interface text (Flask-Babel) in `language` inside a request, e.g. the clinician
    print. The domain takes its language as a parameter (`summary.build(..., language)`) and
    returns finished strings, so nothing here reaches into it."""
    with force_locale(language):
        yield language


def set_language_cookie(response, language: str):
    response.set_cookie(value=language, max_age=COOKIE_MAX_AGE,
                        **cookie_flags(current_app.config["LANGUAGE_COOKIE_NAME"]))
    return response


def language_name(code: str) -> str:
    """The language `code` named in the current language ("Spanish" / "español")."""
    return str(LANGUAGE_NAMES.get(code, code))


def _switch_target() -> str:
    """Where the language switch returns to: this page, if it can be fetched again with GET."""
    if request.method == "GET" or request.endpoint in ("patient.step", "patient.repeat_item"):
        return request.full_path.rstrip("?")
    return "/"


def _template_context() -> dict:
    language = current_language()
    return {
        "html_lang": language,
        "current_language": language,
        "language_name": language_name,
        "other_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGES if code != language],
        "language_offers": [(code, *OFFERS[code]) for code in LANGUAGES if code != language],
        "language_return_to": _switch_target() if request else "/",
    }

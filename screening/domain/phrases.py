"""The clinician summary's sentences in the reader's language, with the standard library's gettext.

The summary domain writes its sentences in English inside `_()`. `pybabel extract` collects them
into the same catalogue as the web pages (`translations/`). Inside `in_language("es")` every `_()`
returns Spanish and every label read from the data files is the Spanish one. Outside such a block
everything is English, so scoring, the rules, their tests and the FHIR export never see a
translation. Which answers count, and why, never depends on the language: only the wording does.
"""

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from .locales import DEFAULT_LANGUAGE, check_language

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("summary_language", default=DEFAULT_LANGUAGE)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, TRANSLATIONS_DIR, languages=[language], fallback=True)


def current() -> str:
    """The language the summary is being written in."""
    return _language.get()


@contextmanager
def in_language(language: str) -> Iterator[str]:
    """Write every sentence and label built inside this block in `language`."""
    token = _language.set(check_language(language))
    try:
        yield language
    finally:
        _language.reset(token)


def N_(message: str) -> str:
    """Mark an English message for the catalogue where it is defined; `_` translates it later."""
    return message


def _(message: str) -> str:
    """`message` (English) in the current language."""
    language = current()
    return message if language == DEFAULT_LANGUAGE else _catalogue(language).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural English message, in the current language, for `count`."""
    language = current()
    if language == DEFAULT_LANGUAGE:
        return singular if count == 1 else plural
    return _catalogue(language).ngettext(singular, plural, count)

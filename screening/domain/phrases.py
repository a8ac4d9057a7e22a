"""The clinician summary's sentences in the reader's language, with the standard library's gettext.

The summary domain writes its sentences in English inside `_()`. `pybabel extract` collects them
into the same catalogue as the web pages (`translations/`).

The language reaches the domain one way only: as the `language` parameter of its entry points
(`summary.build(answers, as_of, language)`). Such an entry point builds its whole result inside
`in_language(language)`, where every `_()` returns that language and every label read from the
data files is in it; the result carries its finished strings, so nothing is translated later (a
template renders what was built, in whatever block it runs). The context variable behind
`in_language` is this package's own detail: the web layer never sets it. Outside such a block
everything is English, so scoring, the rules, their tests and the FHIR export never see a
translation. Which answers count, and why, never depends on the language: only the wording does.

Every supported language other than English needs its compiled catalogue
(`translations/<language>/LC_MESSAGES/messages.mo`); `check_catalogues()` stops start-up without
it, as a missing instrument translation does, instead of printing English sentences silently.
"""

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from .locales import DEFAULT_LANGUAGE, LANGUAGES, check_language

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("summary_language", default=DEFAULT_LANGUAGE)


def catalogue_path(language: str) -> Path:
    """Where the compiled catalogue for `language` must be."""
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def check_catalogues() -> None:
    """RuntimeError naming the file when a supported language has no compiled catalogue."""
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            _load_catalogue(language)


def _load_catalogue(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(DOMAIN, TRANSLATIONS_DIR, languages=[language])
    except FileNotFoundError:
        raise RuntimeError(
            f"No {language!r} translation catalogue: {catalogue_path(language)} is missing "
            "(run `flask translate compile`)"
        ) from None


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return _load_catalogue(language)


def current() -> str:
    """The language the result being built is written in (English outside `in_language`)."""
    return _language.get()


@contextmanager
def in_language(language: str) -> Iterator[str]:
    """Build every sentence and label inside this block in `language`.

    For the domain's own entry points that take a `language` parameter; never the web layer.
    """
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

"""The languages the questionnaire data is written in, and reading one language's text from a row.

Convention in every data file: the English text is the plain key (`text`, `label`, `hint`); a
translation is the same key under the language code (`es.text`, `es.label`, `es.hint`). Rows keep
their languages side by side so a clinician reviews a translation next to its original.
"""

from collections.abc import Mapping
from typing import Any

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "es")


def check_language(language: str) -> str:
    """Return `language` if the data is written in it; ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return language


def localized(row: Mapping[str, Any], key: str, language: str, where: str) -> str:
    """The text under `key` in `language`. A missing translation is an error, never English."""
    text: str = localized_value(row, key, language, where)
    return text


def localized_value(row: Mapping[str, Any], key: str, language: str, where: str) -> Any:
    """As `localized`, for a value that is not text, e.g. a list of [value, label] pairs."""
    check_language(language)
    if key not in row:
        raise ValueError(f"{where}: missing '{key}'")
    if language == DEFAULT_LANGUAGE:
        return row[key]
    translations = row.get(language)
    if not isinstance(translations, Mapping) or key not in translations:
        raise ValueError(f"{where}: no {language} text for '{key}'")
    return translations[key]


def optional_localized(row: Mapping[str, Any], key: str, language: str, where: str) -> str:
    """As `localized`, but "" when the row has no English `key` either."""
    return localized(row, key, language, where) if key in row else ""


def translations(row: Mapping[str, Any], key: str) -> dict[str, str]:
    """`{language: text}` for `key` in each other language the row carries (clinician wording)."""
    return {
        language: row[language][key]
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
        and isinstance(row.get(language), Mapping)
        and isinstance(row[language].get(key), str)
    }


def pick(english: str, translated: Mapping[str, str], language: str) -> str:
    """The clinician wording in `language`; English where a clinic's own file has no translation."""
    return translated.get(language, english) if language != DEFAULT_LANGUAGE else english

"""Crisis resources from the clinic's configuration file, per language, with a review date."""

import tomllib
from functools import cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("crisis_resources.toml")


@cache
def _load(path: str) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def resources(path: str | None, language: str = "en") -> dict:
    """The block for `language`, or the English one: `language` says which, `requested` what was
    asked for (the page marks an English fallback with lang="en")."""
    data = _load(str(path or DEFAULT_FILE))
    shown = language if isinstance(data.get(language), dict) else "en"
    block = data[shown]
    return {
        **block,
        "language": shown,
        "requested": language,
        "reviewed": block.get("reviewed", data["reviewed"]),
        "review_by": block.get("review_by", data["review_by"]),
    }

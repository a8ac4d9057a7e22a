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
    data = _load(str(path or DEFAULT_FILE))
    block = data.get(language) or data["en"]
    return {**block, "reviewed": data["reviewed"], "review_by": data["review_by"]}

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
    lines = [{**line, "links": _links(line)} for line in block.get("lines", [])]
    return {
        **block,
        "lines": lines,
        # The big buttons of the "ask for help now" page; a clinic's file without them gets
        # every line's links.
        "actions": block.get("actions") or [link for line in lines for link in line["links"]],
        "language": shown,
        "requested": language,
        "reviewed": block.get("reviewed", data["reviewed"]),
        "review_by": block.get("review_by", data["review_by"]),
    }


def _links(line: dict) -> list[dict]:
    """Every tappable link of one crisis line: its `links`, or its single `href`."""
    if line.get("links"):
        return list(line["links"])
    return [{"href": line["href"], "text": line["link_text"]}] if line.get("href") else []

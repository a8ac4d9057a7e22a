"""Helpers shared by the Spanish tests: page text, <html lang>, and the no-diagnosis phrases."""

import re

from screening.domain import flow

SPANISH_BROWSER = "es-US,es;q=0.9,en;q=0.5"

# Results name the instrument and its range, never the person (DESIGN.md §2), in both languages.
DIAGNOSTIC_ES = [
    r"usted tiene (una )?depresi[oó]n", r"tiene depresi[oó]n", r"diagnosticad[oa]",
    r"no es elegible", r"usted est[aá] deprimid[oa]", r"su diagn[oó]stico es",
    r"usted sufre de", r"usted tiene un trastorno",
]


def visible_text(html: str) -> str:
    """The page's text as a reader gets it: tags dropped, whitespace squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def step_number(step_id: str) -> int:
    return next(step.number for step in flow.steps() if step.id == step_id)


def checked_value(html: str, name: str) -> str | None:
    """The option of `name` the server marked as the answer (a checked radio, a chosen button)."""
    for tag in re.findall(r"<(?:input|button)\b[^>]*>", html):
        if f'name="{name}"' in tag and re.search(r"\bchecked\b|answer chosen", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None

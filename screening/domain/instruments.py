"""Instrument wording as frozen data: the PHQ-9 and the ASQ, loaded once per language from `data/`.

`phq9()` and `asq()` give the English form; `phq9("es")` and `asq("es")` the Spanish one. Both forms
share ids, scores and codes; only the wording differs (see locales.py for the data convention).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypedDict

from .data_files import load_toml
from .locales import DEFAULT_LANGUAGE, localized


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: int | None = None
    loinc: str | None = None


@dataclass(frozen=True)
class Band:
    id: str
    low: int
    high: int
    label: str


class Phq9Algorithm(TypedDict):
    """`[algorithm]` in phq9.toml: which answers count toward the screening-algorithm pattern."""

    source: str
    item_threshold: int
    safety_item_threshold: int
    cardinal_items: list[str]
    major_min_count: int
    other_min_count: int


class Phq2Rule(TypedDict):
    """`[phq2]` in phq9.toml."""

    source: str
    items: list[str]
    elevated_at_or_above: int
    loinc_total: str


class MissingPolicy(TypedDict):
    """`[missing]` in phq9.toml: how many unanswered items may be prorated."""

    source: str
    max_missing_prorated: int


@dataclass(frozen=True)
class Phq9:
    version: str
    source: str
    copyright: str
    stem: str
    items: tuple[tuple[str, str], ...]
    item_loinc: Mapping[str, str]
    frequency: tuple[Option, ...]
    difficulty_id: str
    difficulty_text: str
    difficulty_loinc: str
    difficulty_options: tuple[Option, ...]
    bands: tuple[Band, ...]
    loinc_panel: str
    loinc_total: str
    algorithm: Phq9Algorithm
    phq2: Phq2Rule
    missing: MissingPolicy
    language: str = DEFAULT_LANGUAGE

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _ in self.items)

    def item_text(self, item_id: str) -> str:
        return dict(self.items)[item_id]


@dataclass(frozen=True)
class Asq:
    version: str
    source: str
    items: tuple[tuple[str, str], ...]
    acuity_id: str
    acuity_text: str
    language: str = DEFAULT_LANGUAGE
    status: str = ""
    options: tuple[Option, ...] = ()

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _ in self.items)


def _options(rows: Sequence[Mapping[str, Any]], language: str, where: str) -> tuple[Option, ...]:
    return tuple(
        Option(value=str(row["value"]), label=localized(row, "label", language, where),
               score=row["value"], loinc=row["loinc"])
        for row in rows
    )


@cache
def phq9(language: str = DEFAULT_LANGUAGE) -> Phq9:
    """The PHQ-9 in `language`; ValueError if any of its wording is missing in that language."""
    data = load_toml("phq9")

    def text(row: Mapping[str, Any], key: str, where: str) -> str:
        return localized(row, key, language, f"phq9.toml {where}")

    bands = tuple(Band(b["id"], b["low"], b["high"], text(b, "label", f"band {b['id']}"))
                  for b in data["bands"])
    _check_bands_cover(bands, 0, 27)
    difficulty = data["difficulty"]
    return Phq9(
        version=text(data, "version", "top"),
        source=text(data, "source", "top"),
        copyright=text(data, "copyright", "top"),
        stem=text(data, "stem", "top"),
        items=tuple((item["id"], text(item, "text", item["id"])) for item in data["items"]),
        item_loinc={item["id"]: item["loinc"] for item in data["items"]},
        frequency=_options(data["frequency"], language, "phq9.toml [[frequency]]"),
        difficulty_id=difficulty["id"],
        difficulty_text=text(difficulty, "text", "[difficulty]"),
        difficulty_loinc=difficulty["loinc"],
        difficulty_options=_options(difficulty["options"], language,
                                    "phq9.toml [[difficulty.options]]"),
        bands=bands,
        loinc_panel=data["loinc_panel"],
        loinc_total=data["loinc_total"],
        algorithm=data["algorithm"],
        phq2=data["phq2"],
        missing=data["missing"],
        language=language,
    )


@cache
def asq(language: str = DEFAULT_LANGUAGE) -> Asq:
    """The ASQ in `language`, with the status of that wording; ValueError if any is missing."""
    data = load_toml("asq")

    def text(row: Mapping[str, Any], key: str, where: str) -> str:
        return localized(row, key, language, f"asq.toml {where}")

    return Asq(
        version=text(data, "version", "top"),
        source=text(data, "source", "top"),
        items=tuple((item["id"], text(item, "text", item["id"])) for item in data["items"]),
        acuity_id=data["acuity"]["id"],
        acuity_text=text(data["acuity"], "text", "[acuity]"),
        language=language,
        status=text(data, "status", "top"),
        options=tuple(Option(row["value"], text(row, "label", f"option {row['value']}"))
                      for row in data["options"]),
    )


def _check_bands_cover(bands: tuple[Band, ...], low: int, high: int) -> None:
    expected = low
    for band in sorted(bands, key=lambda b: b.low):
        if band.low != expected or band.high < band.low:
            raise ValueError(f"PHQ-9 bands leave a gap or overlap at {expected}")
        expected = band.high + 1
    if expected != high + 1:
        raise ValueError("PHQ-9 bands do not reach the top of the scale")

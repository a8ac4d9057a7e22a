"""The clinic's treatment-resistance thresholds, each with its citation.

Data: data/resistance_rules.toml.

Source of the rule: shared/reference/clinical.md §3.1 (definitions), §3.6 (dose and duration), §3.7
(response vocabulary); DESIGN.md §3.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from . import toml_fields as fields
from .data_files import load_toml
from .locales import pick, translations

RULES_FILE = "resistance_rules"

T = TypeVar("T")


@dataclass(frozen=True)
class Threshold(Generic[T]):
    value: T
    source: str
    # A text value in other languages (`es.value`), for the summary a patient reads.
    translations: Mapping[str, str] = field(default_factory=dict, compare=False)

    def text_in(self, language: str) -> str:
        return pick(str(self.value), self.translations, language)


@dataclass(frozen=True)
class DoseMinimum:
    medicine_id: str
    min_mg_per_day: float
    source: str
    note: str = ""


@dataclass(frozen=True)
class ResponseBand:
    """One answer to "how much did it help?" and the most improvement that answer can mean."""

    id: str
    meaning: str
    max_percent: int
    meanings: Mapping[str, str] = field(default_factory=dict, compare=False)  # es.meaning ...

    def meaning_in(self, language: str) -> str:
        return pick(self.meaning, self.meanings, language)


@dataclass(frozen=True)
class ResistanceRules:
    definition: Threshold[str]
    min_weeks: Threshold[int]
    adequate_adherence: Threshold[tuple[str, ...]]
    nonresponse_below_percent: Threshold[int]
    strict_nonresponse_at_or_below_percent: Threshold[int]
    min_different_antidepressants: Threshold[int]
    response_bands: tuple[ResponseBand, ...]
    response_bands_source: str
    doses: tuple[DoseMinimum, ...]

    def dose_minimum(self, medicine_id: str) -> DoseMinimum | None:
        return next((d for d in self.doses if d.medicine_id == medicine_id), None)

    @property
    def adequate_days(self) -> str:
        """The adherence answers that count, as words: "all or most"."""
        return " or ".join(self.adequate_adherence.value)

    def response_band(self, answer: str) -> ResponseBand | None:
        return next((b for b in self.response_bands if b.id == answer), None)


def parse_rules(data: Mapping[str, Any], where: str = f"{RULES_FILE}.toml") -> ResistanceRules:
    """Build ResistanceRules from parsed TOML; ValueError on any missing threshold or source."""
    bands = fields.table(data, "response_bands", where)
    return ResistanceRules(
        definition=_threshold(data, "definition", fields.text, where),
        min_weeks=_threshold(data, "min_weeks", _positive_integer, where),
        adequate_adherence=_threshold(data, "adequate_adherence", _non_empty_strings, where),
        nonresponse_below_percent=_threshold(data, "nonresponse_below_percent", _percent, where),
        strict_nonresponse_at_or_below_percent=_threshold(
            data, "strict_nonresponse_at_or_below_percent", _percent, where
        ),
        min_different_antidepressants=_threshold(
            data, "min_different_antidepressants", _positive_integer, where
        ),
        response_bands=_response_bands(bands, f"{where} [response_bands]"),
        response_bands_source=fields.source(bands, f"{where} [response_bands]"),
        doses=_doses(fields.table(data, "doses", where), where),
    )


@functools.cache
def load_rules() -> ResistanceRules:
    """The rules shipped in data/resistance_rules.toml, parsed and validated once."""
    return parse_rules(load_toml(RULES_FILE))


def _threshold(
    data: Mapping[str, Any],
    key: str,
    read: Callable[[Mapping[str, Any], str, str], T],
    where: str,
) -> Threshold[T]:
    entry = fields.table(data, key, where)
    place = f"{where} [{key}]"
    return Threshold(value=read(entry, "value", place), source=fields.source(entry, place),
                     translations=translations(entry, "value"))


def _positive_integer(data: Mapping[str, Any], key: str, where: str) -> int:
    value = fields.integer(data, key, where)
    if value < 1:
        raise ValueError(f"{where}: '{key}' must be at least 1")
    return value


def _percent(data: Mapping[str, Any], key: str, where: str) -> int:
    value = fields.integer(data, key, where)
    if not 0 < value <= 100:
        raise ValueError(f"{where}: '{key}' must be a percentage between 1 and 100")
    return value


def _non_empty_strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = fields.strings(data, key, where)
    if not value:
        raise ValueError(f"{where}: '{key}' must list at least one answer")
    return value


def _response_bands(bands: Mapping[str, Any], where: str) -> tuple[ResponseBand, ...]:
    rows = [(key, row) for key, row in bands.items() if key != "source"]
    if not rows:
        raise ValueError(f"{where}: no response bands")
    return tuple(
        ResponseBand(
            id=key,
            meaning=fields.text(row, "meaning", f"{where}.{key}"),
            max_percent=fields.integer(row, "max_percent", f"{where}.{key}"),
            meanings=translations(row, "meaning"),
        )
        for key, row in rows
    )


def _doses(doses: Mapping[str, Any], where: str) -> tuple[DoseMinimum, ...]:
    return tuple(
        _dose(medicine_id, row, f"{where} [doses.{medicine_id}]")
        for medicine_id, row in doses.items()
    )


def _dose(medicine_id: str, row: Any, where: str) -> DoseMinimum:
    if not isinstance(row, Mapping):
        raise ValueError(f"{where}: must be a table")
    return DoseMinimum(
        medicine_id=medicine_id,
        min_mg_per_day=fields.positive_number(row, "min_mg_per_day", where),
        source=fields.source(row, where),
        note=fields.optional_text(row, "note", where),
    )

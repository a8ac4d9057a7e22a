"""Maudsley Staging Method points tables (data/maudsley_staging.toml; clinical.md §3.2)."""

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import toml_fields as fields
from .data_files import load_toml
from .locales import pick, translations

SCALE_FILE = "maudsley_staging"


@dataclass(frozen=True)
class ScaleRow:
    id: str
    label: str
    upper: int | None  # inclusive upper limit; None for an open-ended last row
    points: int


@dataclass(frozen=True)
class PointsTable:
    rows: tuple[ScaleRow, ...]
    source: str

    def row_for(self, value: int) -> ScaleRow | None:
        """The first row whose upper limit is not exceeded; None when value is past the table."""
        return next((r for r in self.rows if r.upper is None or value <= r.upper), None)

    def row(self, row_id: str) -> ScaleRow | None:
        return next((r for r in self.rows if r.id == row_id), None)


@dataclass(frozen=True)
class RangeAnswer:
    answer: str
    label: str
    row_id: str


@dataclass(frozen=True)
class TotalBand:
    id: str
    label: str
    min_total: int
    max_total: int
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)  # es.label ...

    def label_in(self, language: str) -> str:
        return pick(self.label, self.labels, language)


@dataclass(frozen=True)
class MaudsleyScale:
    label: str
    duration: PointsTable
    duration_ranges: tuple[RangeAnswer, ...]
    severity: PointsTable
    treatment_failures: PointsTable
    augmentation_points: int
    augmentation_source: str
    ect_points: int
    ect_source: str
    bands: tuple[TotalBand, ...]
    bands_source: str
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)  # es.label ...

    def label_in(self, language: str) -> str:
        return pick(self.label, self.labels, language)

    def range_answer(self, answer: str) -> RangeAnswer | None:
        return next((r for r in self.duration_ranges if r.answer == answer), None)


def parse_scale(data: Mapping[str, Any], where: str = f"{SCALE_FILE}.toml") -> MaudsleyScale:
    """Build the MSM tables from parsed TOML; ValueError on a missing value or source."""
    duration = fields.table(data, "duration", where)
    augmentation = fields.table(data, "augmentation", where)
    ect = fields.table(data, "ect", where)
    bands = fields.table(data, "bands", where)
    scale = MaudsleyScale(
        label=fields.text(data, "label", where),
        duration=_points_table(duration, "max_months", f"{where} [duration]"),
        duration_ranges=_range_answers(duration, f"{where} [duration]"),
        severity=_points_table(fields.table(data, "severity", where), "max_phq9_total", where),
        treatment_failures=_points_table(
            fields.table(data, "treatment_failures", where), "max_count", where
        ),
        augmentation_points=fields.integer(augmentation, "used_points", f"{where} [augmentation]"),
        augmentation_source=fields.source(augmentation, f"{where} [augmentation]"),
        ect_points=fields.integer(ect, "used_points", f"{where} [ect]"),
        ect_source=fields.source(ect, f"{where} [ect]"),
        bands=_bands(bands, f"{where} [bands]"),
        bands_source=fields.source(bands, f"{where} [bands]"),
        labels=translations(data, "label"),
    )
    for answer in scale.duration_ranges:
        if scale.duration.row(answer.row_id) is None:
            raise ValueError(f"{where}: range answer '{answer.answer}' names unknown row")
    return scale


@functools.cache
def load_maudsley_scale() -> MaudsleyScale:
    """The MSM tables shipped in data/maudsley_staging.toml, parsed and validated once."""
    return parse_scale(load_toml(SCALE_FILE))


def _points_table(data: Mapping[str, Any], upper_key: str, where: str) -> PointsTable:
    rows = tuple(
        ScaleRow(
            id=fields.text(row, "id", where),
            label=fields.text(row, "label", where),
            upper=fields.optional_integer(row, upper_key, where),
            points=fields.integer(row, "points", where),
        )
        for row in fields.tables(data, "rows", where)
    )
    limits = [r.upper for r in rows]
    closed = [limit for limit in limits if limit is not None]
    if None in limits[:-1] or closed != sorted(set(closed)):
        raise ValueError(f"{where}: rows must have rising '{upper_key}'; only the last may omit it")
    return PointsTable(rows=rows, source=fields.source(data, where))


def _range_answers(data: Mapping[str, Any], where: str) -> tuple[RangeAnswer, ...]:
    return tuple(
        RangeAnswer(
            answer=fields.text(row, "answer", where),
            label=fields.text(row, "label", where),
            row_id=fields.text(row, "row", where),
        )
        for row in fields.tables(data, "range_answers", where)
    )


def _bands(data: Mapping[str, Any], where: str) -> tuple[TotalBand, ...]:
    bands = tuple(
        TotalBand(
            id=fields.text(row, "id", where),
            label=fields.text(row, "label", where),
            min_total=fields.integer(row, "min_total", where),
            max_total=fields.integer(row, "max_total", where),
            labels=translations(row, "label"),
        )
        for row in fields.tables(data, "rows", where)
    )
    for lower, higher in itertools.pairwise(bands):
        if higher.min_total != lower.max_total + 1:
            raise ValueError(
                f"{where}: bands '{lower.id}' and '{higher.id}' leave a gap or overlap"
            )
    return bands

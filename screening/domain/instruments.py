"""Instrument wording as frozen data: the PHQ-9 and the ASQ, loaded once from `data/`."""

from dataclasses import dataclass
from functools import cache

from .data_files import load_toml


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


@dataclass(frozen=True)
class Phq9:
    version: str
    source: str
    copyright: str
    stem: str
    items: tuple[tuple[str, str], ...]
    item_loinc: dict
    frequency: tuple[Option, ...]
    difficulty_id: str
    difficulty_text: str
    difficulty_loinc: str
    difficulty_options: tuple[Option, ...]
    bands: tuple[Band, ...]
    loinc_panel: str
    loinc_total: str
    algorithm: dict
    phq2: dict
    missing: dict

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

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _ in self.items)


def _options(rows: list[dict]) -> tuple[Option, ...]:
    return tuple(
        Option(value=str(row["value"]), label=row["label"], score=row["value"], loinc=row["loinc"])
        for row in rows
    )


@cache
def phq9() -> Phq9:
    data = load_toml("phq9")
    bands = tuple(Band(b["id"], b["low"], b["high"], b["label"]) for b in data["bands"])
    _check_bands_cover(bands, 0, 27)
    return Phq9(
        version=data["version"],
        source=data["source"],
        copyright=data["copyright"],
        stem=data["stem"],
        items=tuple((item["id"], item["text"]) for item in data["items"]),
        item_loinc={item["id"]: item["loinc"] for item in data["items"]},
        frequency=_options(data["frequency"]),
        difficulty_id=data["difficulty"]["id"],
        difficulty_text=data["difficulty"]["text"],
        difficulty_loinc=data["difficulty"]["loinc"],
        difficulty_options=_options(data["difficulty"]["options"]),
        bands=bands,
        loinc_panel=data["loinc_panel"],
        loinc_total=data["loinc_total"],
        algorithm=data["algorithm"],
        phq2=data["phq2"],
        missing=data["missing"],
    )


@cache
def asq() -> Asq:
    data = load_toml("asq")
    return Asq(
        version=data["version"],
        source=data["source"],
        items=tuple((item["id"], item["text"]) for item in data["items"]),
        acuity_id=data["acuity"]["id"],
        acuity_text=data["acuity"]["text"],
    )


def _check_bands_cover(bands: tuple[Band, ...], low: int, high: int) -> None:
    expected = low
    for band in sorted(bands, key=lambda b: b.low):
        if band.low != expected or band.high < band.low:
            raise ValueError(f"PHQ-9 bands leave a gap or overlap at {expected}")
        expected = band.high + 1
    if expected != high + 1:
        raise ValueError("PHQ-9 bands do not reach the top of the scale")

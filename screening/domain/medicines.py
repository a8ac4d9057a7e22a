"""The antidepressant list patients pick from, grouped by class (data/medicines.toml)."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import toml_fields as fields
from .data_files import load_toml

MEDICINES_FILE = "medicines"


@dataclass(frozen=True)
class MedicineClass:
    id: str
    label: str


@dataclass(frozen=True)
class Medicine:
    id: str
    generic: str
    brands: tuple[str, ...]
    class_id: str

    @property
    def display_name(self) -> str:
        """Generic name with brands, e.g. "sertraline (Zoloft)"."""
        if not self.brands:
            return self.generic
        return f"{self.generic} ({', '.join(self.brands)})"


@dataclass(frozen=True)
class Formulary:
    classes: tuple[MedicineClass, ...]
    medicines: tuple[Medicine, ...]

    def medicine(self, medicine_id: str) -> Medicine | None:
        return next((m for m in self.medicines if m.id == medicine_id), None)

    def in_class(self, class_id: str) -> tuple[Medicine, ...]:
        return tuple(m for m in self.medicines if m.class_id == class_id)


def parse_formulary(data: Mapping[str, Any], where: str = f"{MEDICINES_FILE}.toml") -> Formulary:
    """Build a Formulary from parsed TOML; ValueError on a missing field, bad class or duplicate."""
    classes = tuple(
        MedicineClass(
            id=fields.text(row, "id", f"{where} [[classes]]"),
            label=fields.text(row, "label", f"{where} [[classes]]"),
        )
        for row in fields.tables(data, "classes", where)
    )
    medicines = tuple(
        _parse_medicine(row, f"{where} [[medicines]] #{index + 1}")
        for index, row in enumerate(fields.tables(data, "medicines", where))
    )
    _check_unique([c.id for c in classes], f"{where} class id")
    _check_unique([m.id for m in medicines], f"{where} medicine id")
    class_ids = {c.id for c in classes}
    for medicine in medicines:
        if medicine.class_id not in class_ids:
            raise ValueError(
                f"{where}: medicine '{medicine.id}' has unknown class '{medicine.class_id}'"
            )
    return Formulary(classes=classes, medicines=medicines)


@functools.cache
def load_formulary() -> Formulary:
    """The medicine list shipped in data/medicines.toml, parsed and validated once."""
    return parse_formulary(load_toml(MEDICINES_FILE))


def _parse_medicine(row: Mapping[str, Any], where: str) -> Medicine:
    medicine_id = fields.text(row, "id", where)
    if medicine_id == "other":
        raise ValueError(f"{where}: 'other' is reserved for free-text medicines")
    return Medicine(
        id=medicine_id,
        generic=fields.text(row, "generic", where),
        brands=fields.strings(row, "brands", where),
        class_id=fields.text(row, "class", where),
    )


def _check_unique(ids: list[str], what: str) -> None:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{what} repeated: {', '.join(duplicates)}")

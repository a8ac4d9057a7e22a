"""Typed, validated access to values in parsed TOML data, failing loudly.

Every accessor raises ValueError naming the file, the table and the key, so a bad edit to a rules
file stops the app at start-up instead of producing a wrong clinical summary.
"""

from collections.abc import Mapping
from typing import Any


def table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    """Return the sub-table `key`."""
    value = _required(data, key, where)
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: '{key}' must be a table")
    return value


def tables(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    """Return the non-empty array of tables `key`."""
    value = _required(data, key, where)
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: '{key}' must be a non-empty array of tables")
    if not all(isinstance(item, Mapping) for item in value):
        raise ValueError(f"{where}: every entry of '{key}' must be a table")
    return value


def text(data: Mapping[str, Any], key: str, where: str) -> str:
    """Return the non-blank string `key`."""
    value = _required(data, key, where)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def optional_text(data: Mapping[str, Any], key: str, where: str) -> str:
    """Return the string `key`, or "" when it is absent."""
    return text(data, key, where) if key in data else ""


def source(data: Mapping[str, Any], where: str) -> str:
    """Return the citation every rule and threshold must carry."""
    return text(data, "source", where)


def integer(data: Mapping[str, Any], key: str, where: str) -> int:
    """Return the integer `key` (a TOML boolean is refused)."""
    value = _required(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: '{key}' must be an integer")
    return value


def optional_integer(data: Mapping[str, Any], key: str, where: str) -> int | None:
    """Return the integer `key`, or None when it is absent."""
    return integer(data, key, where) if key in data else None


def positive_number(data: Mapping[str, Any], key: str, where: str) -> float:
    """Return the number `key`, which must be greater than zero."""
    value = _required(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{where}: '{key}' must be a number greater than 0")
    return float(value)


def boolean(data: Mapping[str, Any], key: str, where: str) -> bool:
    """Return the boolean `key`."""
    value = _required(data, key, where)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: '{key}' must be true or false")
    return value


def strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Return the list of strings `key` (may be empty)."""
    value = _required(data, key, where)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValueError(f"{where}: missing '{key}'")
    return data[key]

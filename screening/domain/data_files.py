"""Reading the clinical data files that ship inside this package."""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@cache
def load_toml(name: str) -> dict[str, Any]:
    with (DATA_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)

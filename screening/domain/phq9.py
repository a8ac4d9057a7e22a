"""PHQ-9 scoring: total, band, item-9 safety status, PHQ-2 and the screening-algorithm pattern.

Every result carries what a clinician needs to check it; labels name the instrument's range,
never the person.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .instruments import Band, phq9

SAFETY_ITEM = "phq9_9"


@dataclass(frozen=True)
class Phq9Result:
    total: int | None
    prorated: bool
    missing: tuple[str, ...]
    band: Band | None
    safety_item: int | None
    phq2: int | None
    phq2_elevated: bool
    pattern: str | None

    @property
    def safety_item_positive(self) -> bool:
        return bool(self.safety_item)

    @property
    def safety_item_unanswered(self) -> bool:
        return self.safety_item is None


def item_scores(answers: Mapping[str, Any]) -> dict[str, int]:
    """The answered PHQ-9 items as integers; anything that is not 0-3 counts as unanswered."""
    scores: dict[str, int] = {}
    for item_id in phq9().item_ids:
        value = answers.get(item_id)
        if value is not None and str(value) in {"0", "1", "2", "3"}:
            scores[item_id] = int(value)
    return scores


def band_for(total: int) -> Band:
    return next(band for band in phq9().bands if band.low <= total <= band.high)


def total_with_missing_policy(scores: dict[str, int]) -> tuple[int | None, bool]:
    """Arrieta et al. 2017: up to two missing items prorated; item 9 is never imputed."""
    answered = len(scores)
    missing = len(phq9().item_ids) - answered
    if missing == 0:
        return sum(scores.values()), False
    if missing > phq9().missing["max_missing_prorated"] or SAFETY_ITEM not in scores:
        return None, False
    return round(sum(scores.values()) / answered * len(phq9().item_ids)), True


def algorithm_pattern(scores: dict[str, int]) -> str | None:
    rules = phq9().algorithm
    def threshold(item_id: str) -> int:
        is_safety = item_id == SAFETY_ITEM
        return rules["safety_item_threshold"] if is_safety else rules["item_threshold"]

    counted = {item_id for item_id, value in scores.items() if value >= threshold(item_id)}
    if not counted & set(rules["cardinal_items"]):
        return None
    if len(counted) >= rules["major_min_count"]:
        return "major"
    if len(counted) >= rules["other_min_count"]:
        return "other"
    return None


def score(answers: Mapping[str, Any]) -> Phq9Result:
    scores = item_scores(answers)
    total, prorated = total_with_missing_policy(scores)
    phq2_items = phq9().phq2["items"]
    phq2 = sum(scores[i] for i in phq2_items) if all(i in scores for i in phq2_items) else None
    complete = len(scores) == len(phq9().item_ids)
    return Phq9Result(
        total=total,
        prorated=prorated,
        missing=tuple(i for i in phq9().item_ids if i not in scores),
        band=band_for(total) if total is not None else None,
        safety_item=scores.get(SAFETY_ITEM),
        phq2=phq2,
        phq2_elevated=phq2 is not None and phq2 >= phq9().phq2["elevated_at_or_above"],
        pattern=algorithm_pattern(scores) if complete else None,
    )


def any_symptom_reported(answers: Mapping[str, Any]) -> bool:
    return any(value > 0 for value in item_scores(answers).values())

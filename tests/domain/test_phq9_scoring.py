"""PHQ-9 scoring: every one of the 4^9 answer sets, band edges, the algorithm and missing items."""

import itertools

import pytest

from screening.domain import phq9 as scoring
from screening.domain.instruments import phq9

ITEMS = [f"phq9_{i}" for i in range(1, 10)]

# Kroenke & Spitzer 2002 (clinical.md §1.3), written out independently of the data file.
EXPECTED_BAND = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"),
                 (15, 19, "moderately_severe"), (20, 27, "severe")]


def expected_band(total: int) -> str:
    return next(band for low, high, band in EXPECTED_BAND if low <= total <= high)


def expected_pattern(values) -> str | None:
    counted = [i for i, v in enumerate(values) if v >= (1 if i == 8 else 2)]
    if 0 not in counted and 1 not in counted:
        return None
    if len(counted) >= 5:
        return "major"
    return "other" if len(counted) >= 2 else None


def test_every_answer_set_scores_as_the_paper_instrument():
    for values in itertools.product(range(4), repeat=9):
        result = scoring.score(dict(zip(ITEMS, map(str, values), strict=True)))
        total = sum(values)
        assert result.total == total
        assert result.band.id == expected_band(total)
        assert result.safety_item_positive == (values[8] > 0)
        assert result.phq2 == values[0] + values[1]
        assert result.pattern == expected_pattern(values)
        assert not result.prorated


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
    (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"),
    (20, "severe"), (27, "severe"),
])
def test_band_edges(total, band):
    assert scoring.band_for(total).id == band


@pytest.mark.parametrize(("phq2", "elevated"), [(2, False), (3, True)])
def test_phq2_noted_at_three(phq2, elevated):
    answers = dict.fromkeys(ITEMS, "0") | {"phq9_1": str(phq2 - 1), "phq9_2": "1"}
    assert scoring.score(answers).phq2_elevated is elevated


def test_missing_item_9_is_never_imputed():
    answers = dict.fromkeys(ITEMS[:8], "3")
    result = scoring.score(answers)
    assert result.total is None
    assert result.safety_item_unanswered
    assert not result.safety_item_positive


@pytest.mark.parametrize(("missing", "expected_total"), [
    (["phq9_1"], round(16 / 8 * 9)),
    (["phq9_1", "phq9_2"], round(14 / 7 * 9)),
])
def test_one_or_two_missing_items_are_prorated(missing, expected_total):
    answers = {item: "2" for item in ITEMS if item not in missing}
    result = scoring.score(answers)
    assert result.total == expected_total
    assert result.prorated
    assert result.pattern is None


def test_three_missing_items_give_no_total():
    answers = dict.fromkeys(ITEMS[3:], "2")
    assert scoring.score(answers).total is None


def test_out_of_range_values_count_as_unanswered():
    answers = dict.fromkeys(ITEMS, "0") | {"phq9_3": "7"}
    result = scoring.score(answers)
    assert result.missing == ("phq9_3",)
    assert result.prorated


def test_bands_cover_the_scale_without_gaps():
    bands = sorted(phq9().bands, key=lambda b: b.low)
    assert [(b.low, b.high) for b in bands] == [(low, high) for low, high, _ in EXPECTED_BAND]

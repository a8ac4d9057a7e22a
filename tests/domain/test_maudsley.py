"""Maudsley Staging Method estimate from self-report: every dimension, edge and band."""

import pytest

from screening.domain.maudsley import (
    duration_score,
    maudsley_estimate,
    severity_score,
    treatment_failure_score,
)
from screening.domain.maudsley_scale import load_maudsley_scale

SCALE = load_maudsley_scale()


def estimate(**changes):
    """Estimate for 12 months, PHQ-9 9, 2 failures, no augmentation, no ECT: total 4."""
    inputs = {
        "episode_duration": 12,
        "phq9_total": 9,
        "failed_antidepressants": 2,
        "augmentation": False,
        "ect": False,
    }
    return maudsley_estimate(**(inputs | changes))


@pytest.mark.parametrize(
    ("episode_duration", "points"),
    [
        (0, 1),
        (12, 1),
        (13, 2),
        (24, 2),
        (25, 3),
        (120, 3),
        ("18", 2),
        ("lt6", 1),
        ("6to12", 1),
        ("1to2y", 2),
        ("gt2y", 3),
        (None, None),
        ("", None),
        ("a while", None),
        (-1, None),
    ],
)
def test_duration_points(episode_duration, points):
    assert duration_score(episode_duration, SCALE).points == points


@pytest.mark.parametrize(
    ("episode_duration", "expected"),
    [
        (13, "episode of 13 months: sub-acute (13–24 months)"),
        (1, "episode of 1 month: acute (12 months or less)"),
        ("gt2y", "episode length answered as more than 2 years: chronic (more than 24 months)"),
        (None, "episode length not known — duration not scored"),
    ],
)
def test_duration_reason(episode_duration, expected):
    assert duration_score(episode_duration, SCALE).reason == expected


@pytest.mark.parametrize(
    ("phq9_total", "points"),
    [(0, 1), (4, 1), (5, 2), (9, 2), (10, 3), (14, 3), (15, 4), (19, 4), (20, 4), (27, 4)],
)
def test_severity_estimated_from_phq9_band(phq9_total, points):
    score = severity_score(phq9_total, SCALE)
    assert score.points == points
    assert "estimated from the PHQ-9 band" in score.reason
    assert "psychosis cannot be self-reported" in score.reason


def test_severity_unknown_without_a_phq9_total():
    score = severity_score(None, SCALE)
    assert score.points is None
    assert "not scored" in score.reason


@pytest.mark.parametrize("phq9_total", [-1, 28])
def test_severity_refuses_impossible_phq9_totals(phq9_total):
    with pytest.raises(ValueError, match="PHQ-9 total"):
        severity_score(phq9_total, SCALE)


@pytest.mark.parametrize(
    ("failed", "points"),
    [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (30, 5)],
)
def test_treatment_failure_levels(failed, points):
    assert treatment_failure_score(failed, SCALE).points == points


def test_zero_failures_notes_that_msm_presupposes_one():
    reason = treatment_failure_score(0, SCALE).reason
    assert "MSM presupposes at least one" in reason
    assert "whatever their dose, duration or adherence" in reason


def test_failure_reason_states_how_failures_were_counted():
    reason = treatment_failure_score(3, SCALE).reason
    assert reason.startswith("3 antidepressants (counted from current-episode medicines")
    assert reason.endswith("level 2 (3–4 medications)")


def test_negative_failure_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        treatment_failure_score(-1, SCALE)


@pytest.mark.parametrize(
    ("augmentation", "ect", "total"),
    [(False, False, 4), (True, False, 5), (False, True, 5), (True, True, 6)],
)
def test_augmentation_and_ect_add_a_point_each(augmentation, ect, total):
    result = estimate(augmentation=augmentation, ect=ect)
    assert result.augmentation.points == int(augmentation)
    assert result.ect.points == int(ect)
    assert result.total == total


@pytest.mark.parametrize(
    ("months", "phq9", "failed", "augmentation", "ect", "total", "band"),
    [
        (12, 0, 1, False, False, 3, "mild"),  # lowest MSM total
        (12, 9, 2, True, True, 6, "mild"),
        (13, 9, 2, True, True, 7, "moderate"),
        (25, 15, 2, True, True, 10, "moderate"),
        (25, 15, 3, True, True, 11, "severe"),
        ("gt2y", 27, 11, True, True, 14, "severe"),  # highest reachable without psychosis
    ],
)
def test_totals_and_band_edges(months, phq9, failed, augmentation, ect, total, band):
    result = maudsley_estimate(
        episode_duration=months,
        phq9_total=phq9,
        failed_antidepressants=failed,
        augmentation=augmentation,
        ect=ect,
    )
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("band", "label"),
    [("mild", "Mild (3–6)"), ("moderate", "Moderate (7–10)"), ("severe", "Severe (11–15)")],
)
def test_band_labels(band, label):
    assert next(b.label for b in SCALE.bands if b.id == band) == label


def test_zero_failures_with_a_short_mild_episode_is_below_the_msm_range():
    result = estimate(failed_antidepressants=0, phq9_total=3)
    assert result.total == 2
    assert result.band == "below_msm_range"
    assert "presupposes at least one failed antidepressant" in result.band_label


def test_zero_failures_still_gets_a_band_when_the_total_is_in_range():
    result = estimate(failed_antidepressants=0, episode_duration=30, phq9_total=20)
    assert (result.total, result.band) == (7, "moderate")


@pytest.mark.parametrize(
    "changes", [{"episode_duration": None}, {"phq9_total": None}, {"episode_duration": "?"}]
)
def test_no_total_when_duration_or_severity_is_unknown(changes):
    result = estimate(**changes)
    assert result.total is None
    assert result.band == "incomplete"
    assert result.band_label.startswith("Not estimated")


def test_estimate_is_labelled_as_self_report():
    result = estimate()
    assert result.label == "Maudsley Staging Method estimate from self-report"
    assert [name for name, _ in result.dimensions] == [
        "Duration of current episode",
        "Symptom severity",
        "Antidepressant treatment failures",
        "Augmentation",
        "ECT",
    ]
    assert all(score.reason for _, score in result.dimensions)

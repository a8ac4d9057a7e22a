"""Maudsley Staging Method (MSM) estimate from self-report, with a reason for every dimension.

Source: Fekadu et al. 2009; BMC Psychiatry 2018;18:100 Table 3 (shared/reference/clinical.md §3.2).
MSM is clinician-rated; this is an estimate from the patient's answers, labelled as such.
The label, dimension names and band follow the summary language (phrases.in_language), worded
when the estimate is built; the per-dimension reasons are clinician detail and stay in English.
"""

from dataclasses import dataclass

from . import phrases
from .maudsley_scale import MaudsleyScale, ScaleRow, load_maudsley_scale
from .phrases import N_, _

# The dimensions in the order of MaudsleyEstimate's fields and of Fekadu et al.'s table.
DIMENSION_NAMES = (
    N_("Duration of current episode"),
    N_("Symptom severity"),
    N_("Antidepressant treatment failures"),
    N_("Augmentation"),
    N_("ECT"),
)
BELOW_RANGE = "below_msm_range"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class DimensionScore:
    points: int | None  # None when the answer needed is unknown
    reason: str


@dataclass(frozen=True)
class MaudsleyEstimate:
    label: str
    duration: DimensionScore
    severity: DimensionScore
    treatment_failures: DimensionScore
    augmentation: DimensionScore
    ect: DimensionScore
    total: int | None  # None when duration or severity is unknown
    band: str  # a band id from the scale, "below_msm_range" or "incomplete"
    band_label: str
    dimension_names: tuple[str, ...]  # DIMENSION_NAMES, worded when the estimate was built

    @property
    def dimensions(self) -> tuple[tuple[str, DimensionScore], ...]:
        """(name, score) for each dimension; the names are the ones worded at build time."""
        scores = (self.duration, self.severity, self.treatment_failures, self.augmentation,
                  self.ect)
        return tuple(zip(self.dimension_names, scores, strict=True))


def maudsley_estimate(
    *,
    episode_duration: int | str | None,
    phq9_total: int | None,
    failed_antidepressants: int,
    augmentation: bool,
    ect: bool,
    scale: MaudsleyScale | None = None,
) -> MaudsleyEstimate:
    """Estimate the MSM total and band.

    episode_duration: months (int or digits), a range answer ("lt6", "6to12", "1to2y", "gt2y"),
    or None when unknown. failed_antidepressants: see resistance.failed_antidepressant_count.
    """
    scale = scale or load_maudsley_scale()
    scores = (
        duration_score(episode_duration, scale),
        severity_score(phq9_total, scale),
        treatment_failure_score(failed_antidepressants, scale),
        _used_score("augmentation", augmentation, scale.augmentation_points),
        _used_score("ECT", ect, scale.ect_points),
    )
    total, band, band_label = _total_and_band(scores, scale)
    return MaudsleyEstimate(scale.label_in(phrases.current()), *scores, total=total, band=band,
                            band_label=band_label,
                            dimension_names=tuple(_(name) for name in DIMENSION_NAMES))


def duration_score(episode_duration: int | str | None, scale: MaudsleyScale) -> DimensionScore:
    """Points for the length of the current episode, from months or a range answer."""
    if isinstance(episode_duration, str) and episode_duration.strip().isdigit():
        episode_duration = int(episode_duration)
    if isinstance(episode_duration, int) and episode_duration >= 0:
        row = _row(scale.duration.row_for(episode_duration), "duration")
        months = f"{episode_duration} month{'' if episode_duration == 1 else 's'}"
        return DimensionScore(row.points, f"episode of {months}: {row.label}")
    answer = scale.range_answer(episode_duration) if isinstance(episode_duration, str) else None
    if answer is None:
        return DimensionScore(None, "episode length not known — duration not scored")
    row = _row(scale.duration.row(answer.row_id), "duration")
    return DimensionScore(row.points, f"episode length answered as {answer.label}: {row.label}")


def severity_score(phq9_total: int | None, scale: MaudsleyScale) -> DimensionScore:
    """Points for symptom severity, estimated from the PHQ-9 band."""
    if phq9_total is None:
        return DimensionScore(None, "no PHQ-9 total — severity not scored")
    if phq9_total < 0:
        raise ValueError(f"PHQ-9 total must be 0–27, got {phq9_total}")
    row = _row(scale.severity.row_for(phq9_total), f"PHQ-9 total {phq9_total}")
    return DimensionScore(
        row.points,
        f"PHQ-9 total {phq9_total}: {row.label} — severity estimated from the PHQ-9 band; MSM"
        " severity is clinician-rated, and psychosis cannot be self-reported on the PHQ-9",
    )


def treatment_failure_score(failed: int, scale: MaudsleyScale) -> DimensionScore:
    """Points for the number of different antidepressants that did not help enough."""
    if failed < 0:
        raise ValueError(f"failed antidepressant count must not be negative, got {failed}")
    counted = (
        "counted from current-episode medicines that did not help enough, whatever their dose,"
        " duration or adherence"
    )
    if failed == 0:
        return DimensionScore(
            0, f"no failed antidepressant ({counted}): 0 points — MSM presupposes at least one"
        )
    row = _row(scale.treatment_failures.row_for(failed), "treatment failures")
    plural = "" if failed == 1 else "s"
    return DimensionScore(row.points, f"{failed} antidepressant{plural} ({counted}): {row.label}")


def _used_score(name: str, used: bool, points: int) -> DimensionScore:
    if used:
        return DimensionScore(points, f"{name} used: {points} point{'' if points == 1 else 's'}")
    return DimensionScore(0, f"{name} not reported: 0 points")


def _total_and_band(
    scores: tuple[DimensionScore, ...], scale: MaudsleyScale
) -> tuple[int | None, str, str]:
    if any(score.points is None for score in scores):
        return None, INCOMPLETE, _("Not estimated — episode length or PHQ-9 total unknown")
    total = sum(score.points or 0 for score in scores)
    lowest = scale.bands[0]
    if total < lowest.min_total:
        return (
            total,
            BELOW_RANGE,
            _("Below MSM range — MSM presupposes at least one failed antidepressant"),
        )
    band = next((b for b in scale.bands if b.min_total <= total <= b.max_total), None)
    if band is None:
        raise ValueError(f"MSM total {total} is outside every band in the scale")
    return total, band.id, band.label_in(phrases.current())


def _row(row: ScaleRow | None, what: str) -> ScaleRow:
    if row is None:
        raise ValueError(f"{what}: value outside the MSM table")
    return row

"""Risk scoring rules (SPEC §14): score, rating, appetite, direction and escalation. Pure.

A score is likelihood × impact on a 5 × 5 matrix, each of them a whole number 1–5 (1 rare …
5 almost certain; 1 minimal … 5 severe), so a score is 1–25. Ratings are bands of the score:
by default 1–4 low, 5–9 medium, 10–15 high, 16–25 very high; a council sets its own upper
bounds of low, medium and high (very high is whatever is above high), which must rise strictly
and leave every band at least one score.

Appetite is the highest current score a council accepts in a category: a risk is *above
appetite* when its current score is strictly greater (a risk exactly at appetite is accepted).
A category without an appetite flags nothing.

Direction compares the current score with the score at the previous review: lower is
`improving`, higher `deteriorating`, equal `stable`; no previous review is `none`.

Escalation moves a risk one register up: service → directorate → corporate; project and
partnership registers escalate straight to corporate (they sit beside the line management
structure, and the council's top register is where a risk above appetite is owned); a corporate
risk has nowhere higher to go.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from performance.core import periods

MIN_POINT = 1
MAX_POINT = 5
MAX_SCORE = MAX_POINT * MAX_POINT


class Rating(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {
    Rating.LOW: "Low",
    Rating.MEDIUM: "Medium",
    Rating.HIGH: "High",
    Rating.VERY_HIGH: "Very high",
}


class Register(enum.StrEnum):
    CORPORATE = "corporate"
    DIRECTORATE = "directorate"
    SERVICE = "service"
    PROJECT = "project"
    PARTNERSHIP = "partnership"


REGISTER_LABELS = {
    Register.CORPORATE: "Corporate",
    Register.DIRECTORATE: "Directorate",
    Register.SERVICE: "Service",
    Register.PROJECT: "Project",
    Register.PARTNERSHIP: "Partnership",
}

_UP = {
    Register.SERVICE: Register.DIRECTORATE,
    Register.DIRECTORATE: Register.CORPORATE,
    Register.PROJECT: Register.CORPORATE,
    Register.PARTNERSHIP: Register.CORPORATE,
}


class Direction(enum.StrEnum):
    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    STABLE = "stable"
    NONE = "none"


DEFAULT_LIKELIHOOD_LABELS = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
DEFAULT_IMPACT_LABELS = ("Minimal", "Minor", "Moderate", "Major", "Severe")


@dataclass(frozen=True, slots=True)
class Bands:
    """Upper bounds (inclusive) of the low, medium and high ratings; very high is above."""

    low_max: int = 4
    medium_max: int = 9
    high_max: int = 15

    def problems(self) -> list[str]:
        """Why these bands cannot be used (empty when they can)."""
        result = []
        if self.low_max < MIN_POINT:
            result.append("Low must include at least the score 1")
        if not self.low_max < self.medium_max:
            result.append("Medium must start above low: its top score must be higher than low's")
        if not self.medium_max < self.high_max:
            result.append("High must start above medium: its top score must be higher")
        if not self.high_max < MAX_SCORE:
            result.append(f"High must stop below {MAX_SCORE}, so very high keeps a score")
        return result


DEFAULT_BANDS = Bands()


@dataclass(frozen=True, slots=True)
class Matrix:
    """The council's 5 × 5 matrix: labels of each likelihood and impact point, and the bands."""

    likelihood_labels: tuple[str, ...] = DEFAULT_LIKELIHOOD_LABELS
    impact_labels: tuple[str, ...] = DEFAULT_IMPACT_LABELS
    bands: Bands = DEFAULT_BANDS

    def likelihood_label(self, point: int) -> str:
        return self.likelihood_labels[check_point(point) - 1]

    def impact_label(self, point: int) -> str:
        return self.impact_labels[check_point(point) - 1]


DEFAULT_MATRIX = Matrix()


def check_point(point: int) -> int:
    """A likelihood or impact: a whole number 1–5, else ValueError naming the range."""
    if isinstance(point, bool) or not isinstance(point, int) or not MIN_POINT <= point <= MAX_POINT:
        raise ValueError(f"must be a whole number from {MIN_POINT} to {MAX_POINT}, not {point!r}")
    return point


def score(likelihood: int, impact: int) -> int:
    """Likelihood × impact (1–25)."""
    return check_point(likelihood) * check_point(impact)


def rating_of(value: int, bands: Bands = DEFAULT_BANDS) -> Rating:
    """The rating band of a score 1–25."""
    if not 1 <= value <= MAX_SCORE:
        raise ValueError(f"a score must be 1 to {MAX_SCORE}, not {value!r}")
    if value <= bands.low_max:
        return Rating.LOW
    if value <= bands.medium_max:
        return Rating.MEDIUM
    if value <= bands.high_max:
        return Rating.HIGH
    return Rating.VERY_HIGH


def above_appetite(current: int, appetite: int | None) -> bool:
    """Whether a current score is above the category's appetite (equal is accepted)."""
    return appetite is not None and current > appetite


def direction(current: int, previous: int | None) -> Direction:
    """The current score against the score at the previous review (lower is better)."""
    if previous is None:
        return Direction.NONE
    if current < previous:
        return Direction.IMPROVING
    if current > previous:
        return Direction.DETERIORATING
    return Direction.STABLE


def escalated(register: Register) -> Register | None:
    """The register one up, or None for the corporate register."""
    return _UP.get(register)


def kri_reason(status: str, variation: str) -> str:
    """The alert one reading raises (SPEC §14): `red` (status code Red), `concerning` (a
    concerning SPC signal), `both`, or "" for none."""
    red, concerning = status == "red", variation == "concerning"
    if red and concerning:
        return "both"
    return "red" if red else "concerning" if concerning else ""


def kri_alert(statuses: Iterable[str], variations: Iterable[str]) -> bool:
    """Key risk indicator alert: any linked indicator's latest activated value is Red or
    carries a concerning SPC signal (`statuses` are status codes, `variations` SPC variation
    codes of those same values)."""
    return any(kri_reason(code, "") for code in statuses) or any(
        kri_reason("", code) for code in variations
    )


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the heat map: its likelihood and impact, the score, rating and the count."""

    likelihood: int
    impact: int
    count: int
    rating: Rating

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


def heat_map(points: Sequence[tuple[int, int]], bands: Bands = DEFAULT_BANDS) -> list[list[Cell]]:
    """The 5 × 5 grid of counts of (likelihood, impact) pairs: rows from likelihood 5 down to 1
    (the way a risk matrix is printed, most likely at the top), columns impact 1 to 5."""
    counts: dict[tuple[int, int], int] = {}
    for likelihood, impact in points:
        key = (check_point(likelihood), check_point(impact))
        counts[key] = counts.get(key, 0) + 1
    return [
        [
            Cell(
                likelihood=likelihood,
                impact=impact,
                count=counts.get((likelihood, impact), 0),
                rating=rating_of(likelihood * impact, bands),
            )
            for impact in range(MIN_POINT, MAX_POINT + 1)
        ]
        for likelihood in range(MAX_POINT, MIN_POINT - 1, -1)
    ]


def review_period(day: dt.date) -> periods.Period:
    """The quarter a review made on `day` counts for: the latest quarter that has ended (a
    review on 5 July, in the window of the April–June return, counts for Q1)."""
    return periods.quarter_of(day).previous()


def next_review_due(day: dt.date, window_days: int) -> dt.date:
    """When a risk reviewed on `day` is next due: the close of the first quarterly collection
    window that opens after `day` (reviews follow the values' windows, SPEC §14)."""
    return periods.quarter_of(day).window_close(window_days)

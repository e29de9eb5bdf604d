"""Reading a whole series: `analyse` (segments, points, assurance and a note) and `not_applied`.

Pure: no Django import. Every rule and edge case is in the package docstring
(`performance.core.spc`); the statistics are in `limits`, the rules in `signals`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from performance.core.spc.limits import (
    QUOTIENT,
    Assurance,
    Exact,
    Segment,
    SpcInput,
    assurance_of,
    exact_sum,
    segment_bounds,
)
from performance.core.spc.signals import SpcPoint, Variation, read_points

__all__ = ["YEAR_TO_DATE_NOTE", "SpcResult", "analyse", "not_applied"]


@dataclass(frozen=True, slots=True)
class SpcResult:
    """Points, segments (oldest first), assurance and a note ("" when SPC applies in full)."""

    points: tuple[SpcPoint, ...]
    segments: tuple[Segment, ...]
    assurance: Assurance
    note: str = ""

    @property
    def latest(self) -> Segment | None:
        """The latest segment: its limits are the ones shown and used for assurance."""
        return self.segments[-1] if self.segments else None

    @property
    def is_run_chart(self) -> bool:
        """True when the latest segment has too few points for process limits."""
        return self.latest is None or not self.latest.has_limits

    @property
    def latest_variation(self) -> Variation:
        """Variation of the last point (the `variation` cell of SPEC §12)."""
        return self.points[-1].variation if self.points else Variation.NONE

    @property
    def mean(self) -> Decimal | None:
        return self.latest.mean if self.latest else None

    @property
    def mean_moving_range(self) -> Decimal | None:
        return self.latest.mean_moving_range if self.latest else None

    @property
    def upper_limit(self) -> Decimal | None:
        return self.latest.upper_limit if self.latest else None

    @property
    def lower_limit(self) -> Decimal | None:
        return self.latest.lower_limit if self.latest else None

    @property
    def upper_near(self) -> Decimal | None:
        return self.latest.upper_near if self.latest else None

    @property
    def lower_near(self) -> Decimal | None:
        return self.latest.lower_near if self.latest else None


YEAR_TO_DATE_NOTE = (
    "No process limits: a year-to-date figure builds up from April and starts again each year, "
    "so SPC does not apply; compare it with the same period last year."
)


def not_applied(values: Sequence[Decimal], note: str = YEAR_TO_DATE_NOTE) -> SpcResult:
    """The points of a series SPC must not read (a year-to-date figure): no limits, no signals."""
    points = tuple(SpcPoint(index=i, value=value, segment=0) for i, value in enumerate(values))
    return SpcResult(points=points, segments=(), assurance=Assurance.NONE, note=note)


def analyse(spc: SpcInput) -> SpcResult:
    """Read an XmR chart from `spc` (see the package docstring for every rule and edge case)."""
    values = spc.values
    if not values:
        return SpcResult(points=(), segments=(), assurance=Assurance.NONE, note="No values yet.")
    segments: list[Segment] = []
    points: list[SpcPoint] = []
    latest_exact: Exact | None = None
    for number, (start, stop) in enumerate(itertools.pairwise(segment_bounds(spc))):
        chunk = values[start:stop]
        if len(chunk) < spc.min_points:
            segments.append(
                Segment(start, stop, mean=QUOTIENT.divide(exact_sum(chunk), len(chunk)))
            )
            points += [SpcPoint(start + i, v, number) for i, v in enumerate(chunk)]
            latest_exact = None
            continue
        exact = Exact.of(chunk)
        latest_exact = exact
        segments.append(exact.segment(start, stop))
        points += read_points(chunk, exact, start, number, spc)
    return SpcResult(
        points=tuple(points),
        segments=tuple(segments),
        assurance=assurance_of(spc, latest_exact),
        note=_note(spc, segments),
    )


def _note(spc: SpcInput, segments: Sequence[Segment]) -> str:
    total = len(spc.values)
    if total < spc.min_points:
        return (
            f"Only {total} point{'s' if total != 1 else ''}: at least {spc.min_points} are "
            "needed for process limits, so this is a plain run chart."
        )
    latest = segments[-1]
    if not latest.has_limits:
        return (
            f"Only {latest.size} point{'s' if latest.size != 1 else ''} since the limits were "
            f"rebased: at least {spc.min_points} are needed for new process limits, so the "
            "latest points are a plain run chart."
        )
    short = sum(1 for segment in segments if not segment.has_limits)
    if short:
        return f"{short} earlier segment{'s' if short != 1 else ''} had too few points for limits."
    return ""

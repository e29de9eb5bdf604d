"""A team's league positions as a small server-side SVG line chart (no JavaScript).

Pure geometry: positions in, coordinates out; the template draws them. Position 1 is at the
top, so a rising line means a better position. Awards are marked with a larger point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 44, 20, 48


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    label: str
    rank: int
    award: str


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class PositionChart:
    width: int
    height: int
    points: tuple[ChartPoint, ...]
    ticks: tuple[Tick, ...]
    path: str
    left: int
    right: int
    bottom: int
    top: int


def position_chart(history: Sequence[tuple[str, int, int, str]]) -> PositionChart | None:
    """(quarter, rank, teams in table, award) oldest first → chart geometry; None when empty."""
    if not history:
        return None
    worst = max(max(of, rank) for _, rank, of, _ in history)
    worst = max(worst, 2)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(history) - 1, 1)

    def y_of(rank: int) -> float:
        return round(TOP + (rank - 1) / (worst - 1) * plot_h, 1)

    points = tuple(
        ChartPoint(
            x=round(LEFT + (index * step if len(history) > 1 else plot_w / 2), 1),
            y=y_of(rank),
            label=quarter,
            rank=rank,
            award=award,
        )
        for index, (quarter, rank, _, award) in enumerate(history)
    )
    tick_ranks = sorted({1, worst, *range(1, worst + 1, max(1, (worst - 1) // 4 or 1))})
    ticks = tuple(Tick(y=y_of(r), label=str(r)) for r in tick_ranks)
    path = " ".join(f"{'M' if i == 0 else 'L'} {p.x} {p.y}" for i, p in enumerate(points))
    return PositionChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        ticks=ticks,
        path=path,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
        top=TOP,
    )

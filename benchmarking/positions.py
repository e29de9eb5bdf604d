"""One `benchmark_position` row (SPEC §11, §12), shared by the command and the API (§15).

Columns: measure, group, period, authority, value, rank, of, quartile, q1, median, q3, missing;
None where there is nothing (our value, rank and quartile when we have no figure; the boundaries
when nobody has one). Numbers are Decimals and ints; the callers write them.
"""

from __future__ import annotations

from typing import Any

from benchmarking import selectors, services
from benchmarking.models import Authority, BenchmarkMeasure, ComparatorGroup
from performance.core import periods

COLUMNS = [
    "measure",
    "group",
    "period",
    "authority",
    "value",
    "rank",
    "of",
    "quartile",
    "q1",
    "median",
    "q3",
    "missing",
]


class PositionError(Exception):
    """A bad argument: `field` is the option or parameter it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def position_row(
    *, measure: str, group: str, period: str, authority: str | None = None
) -> dict[str, Any]:
    try:
        label = str(periods.parse(period))
    except periods.PeriodError as error:
        raise PositionError("period", str(error)) from error
    code = (authority or selectors.council_code()).strip().upper()
    if problem := services.check_code(code):
        raise PositionError("authority", problem)
    if not Authority.objects.filter(code=code).exists():
        raise PositionError("authority", f"unknown authority {code}")
    try:
        benchmark = BenchmarkMeasure.objects.get(code=measure.strip())
    except BenchmarkMeasure.DoesNotExist:
        raise PositionError("measure", f"no benchmark measure has the code {measure!r}") from None
    try:
        comparator_group = ComparatorGroup.objects.get(name=group.strip())
    except ComparatorGroup.DoesNotExist:
        raise PositionError("group", f"no comparator group is named {group!r}") from None
    position = selectors.comparison(
        benchmark, comparator_group, period=label, authority=code
    ).position
    return {
        "measure": benchmark.code,
        "group": comparator_group.name,
        "period": label,
        "authority": code,
        "value": position.value,
        "rank": position.rank,
        "of": position.of,
        "quartile": position.quartile,
        "q1": position.q1,
        "median": position.median,
        "q3": position.q3,
        "missing": position.missing,
    }

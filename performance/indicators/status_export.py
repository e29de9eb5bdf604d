"""The rows of `indicator_status` (SPEC §11, §12), shared by the command and the API (§15).

One row per indicator with an activated value or a target in P; the last column is the
year-end forecast of P's financial year as known at P (issue 20). Value and target are printed
rounded to the indicator's decimal places (ROUND_HALF_UP, as the status rules round), the
shortfall to 2 places; a missing number is an empty CSV cell and `null` in JSON. JSON numbers
are written with exactly the digits of the CSV cell, so both formats carry the same figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from django.utils import timezone

from performance.common import cache as generations
from performance.common import spreadsheets
from performance.core import periods
from performance.core.calculations import round_to
from performance.indicators import forecasts, selectors
from performance.models import Indicator

COLUMNS = (
    "indicator",
    "period",
    "value",
    "target",
    "shortfall_pct",
    "status",
    "dot_previous",
    "dot_year",
    "variation",
    "assurance",
    "forecast",
)
NUMBER_COLUMNS = ("value", "target", "shortfall_pct", "forecast")


def _number(value: Decimal | None, decimals: int) -> str:
    return "" if value is None else format(round_to(value, decimals), "f")


def status_rows(period: periods.Period) -> list[dict[str, str]]:
    """The rows of SPEC §12 `indicator_status` for `period`, by indicator code, as text."""
    return [row for _, row in _rows(period)]


def shared_status_rows(
    period: periods.Period, *, today: dt.date | None = None
) -> tuple[tuple[int, dict[str, str]], ...]:
    """`(indicator id, row)` of every indicator, computed once per change of the "indicators"
    generation and shared by every reader (the API filters it to what its person reads): with
    SPC at the stress scale the rows cost seconds, a page of them must not. Callers must not
    change the rows.
    """
    today = today or timezone.localdate()
    key = f"status-rows|{selectors.period_statuses_key(period, today=today)}"
    return generations.cached(key, ["indicators"], lambda: tuple(_rows(period, today=today)))


def _rows(
    period: periods.Period, *, today: dt.date | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The day decides whether a missing value is No data yet (the window): the cache key's."""
    indicators = list(Indicator.objects.order_by("code"))
    statuses = selectors.indicator_statuses(indicators, period, with_spc=True, today=today)
    # The year-end forecast of P's financial year as known at P (issue 20): the officer's,
    # else the projection; empty without one.
    ahead = forecasts.forecasts_of(
        [i for i in indicators if i.id in statuses], year=period.financial_year, as_of=period
    )
    rows = []
    for indicator in indicators:
        status = statuses.get(indicator.id)
        if status is None or (status.actual is None and status.target is None):
            continue
        rows.append(
            (
                indicator.id,
                {
                    "indicator": indicator.code,
                    "period": str(status.period),
                    "value": _number(status.actual, indicator.decimals),
                    "target": _number(status.target, indicator.decimals),
                    "shortfall_pct": _number(status.shortfall, 2),
                    "status": status.status,
                    "dot_previous": status.dot_previous.value,
                    "dot_year": status.dot_year.value,
                    "variation": status.variation.value,
                    "assurance": status.assurance.value,
                    "forecast": _number(
                        ahead[indicator.id].value if indicator.id in ahead else None,
                        indicator.decimals,
                    ),
                },
            )
        )
    return rows


def as_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    # The code is configured text: "=…" is quoted; the numbers stay numbers (issue 14).
    writer.writerows({**row, "indicator": spreadsheets.csv_text(row["indicator"])} for row in rows)
    return buffer.getvalue()


def as_json(rows: list[dict[str, str]]) -> str:
    """A JSON array of objects; numbers keep the CSV's digits (no float round trip)."""

    def cell(column: str, text: str) -> str:
        if column in NUMBER_COLUMNS:
            return text or "null"
        return json.dumps(text)

    objects = [
        "  {" + ", ".join(f"{json.dumps(c)}: {cell(c, row[c])}" for c in COLUMNS) + "}"
        for row in rows
    ]
    return "[\n" + ",\n".join(objects) + ("\n]\n" if objects else "]\n")

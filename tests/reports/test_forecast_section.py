"""The quarterly report's "Forecast to miss" (issue 20): from Q2, Red first, the officer's reason
or the projection's method; Cabinet a summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from performance.core import periods
from performance.models import Target, Value
from performance.reports import selectors
from performance.reports.data import Audience, Kind, parse_period
from tests.reports.test_exports import PERIOD, build


def _annual(indicator, value):
    Target.objects.create(
        indicator=indicator, period="2025/26", period_start=dt.date(2025, 4, 1), value=value
    )


def test_the_mt_report_lists_what_is_forecast_to_miss(council):
    assert periods.parse(PERIOD).quarter_number == 3
    _annual(council.red, Decimal(99))
    _annual(council.amber, Decimal(5))
    Value.objects.filter(indicator=council.amber, period=PERIOD).update(
        forecast=Decimal("5.4"), forecast_comment="Two crews short until March"
    )
    report = build(Kind.QUARTERLY, Audience.MT)
    found = next(s for s in report.sections if s.id == "forecast-to-miss")
    table = found.tables[0]
    codes = [row["indicator"] for row in table.rows]
    assert codes[0] == council.red.code  # Red first
    assert council.amber.code in codes
    red = table.rows[0]
    assert red["forecast_status"] == "red"
    assert red["source"] == "Projection"
    assert "least squares" in red["reason"]
    amber = next(row for row in table.rows if row["indicator"] == council.amber.code)
    assert (amber["forecast"], amber["annual_target"], amber["source"]) == ("5.4", "5", "Officer")
    assert amber["forecast_status"] == "amber"
    assert amber["reason"].startswith("Two crews short until March")
    assert "forecast to miss the 2025/26 annual target" in found.paragraphs[0]


def test_cabinet_reads_a_summary_and_nothing_before_q2(council):
    _annual(council.red, Decimal(99))
    cabinet = build(Kind.QUARTERLY, Audience.CABINET)
    found = next(s for s in cabinet.sections if s.id == "forecast-to-miss")
    assert not found.tables
    assert any(council.red.code in paragraph for paragraph in found.paragraphs)
    q1 = selectors.build(
        Kind.QUARTERLY,
        period=parse_period(Kind.QUARTERLY, "2025/26 Q1"),
        audience=Audience.MT,
    )
    assert not any(s.id == "forecast-to-miss" for s in q1.sections)

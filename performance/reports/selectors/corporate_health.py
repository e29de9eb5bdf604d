"""The quarterly report's corporate health section (issue 20): how the council itself is run.

Every audience gets it; Cabinet's is the shortest (the counts and what is Red or getting worse,
in two sentences, no table); Management Team and Overview & Scrutiny read the table
of every corporate health indicator among the report's indicators (key performance indicators
and indicators linked to an outcome) with its status and direction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from performance.core.periods import Period
from performance.models import Indicator
from performance.reports.data import Audience, Section, Table
from performance.reports.selectors.statuses import STATUS_ORDER, _indicator_columns

WORDS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "no_data": "No data",
    "none": "not judged",
}


def _why(row: dict[str, Any]) -> str:
    bits = ["Red"] if row["status"] == "red" else []
    if row["dot_previous"] == "deteriorating":
        bits.append("deteriorating")
    return ", ".join(bits)


def section(
    rows: list[dict[str, Any]], indicators: dict[int, Indicator], period: Period, audience: Audience
) -> Section | None:
    """The section, or None when the report has no corporate health indicator. No query."""
    chosen = sorted(
        (row for row in rows if indicators[row["indicator_id"]].corporate_health),
        key=lambda row: row["indicator"],
    )
    if not chosen:
        return None
    counts = Counter(row["status"] for row in chosen)
    tally = ", ".join(f"{counts[key]} {WORDS[key]}" for key in STATUS_ORDER if counts[key])
    summary = (
        f"{len(chosen)} corporate health indicator{'s' if len(chosen) != 1 else ''} "
        f"(sickness absence, staff turnover, complaints, information requests, paying suppliers "
        f"on time) for {period}: {tally}."
    )
    concern = [
        f"{row['indicator']} {row['title']} ({_why(row)})"
        for row in chosen
        if row["status"] == "red" or row["dot_previous"] == "deteriorating"
    ]
    paragraphs = [summary]
    if concern:
        paragraphs.append("Red or getting worse: " + "; ".join(concern) + ".")
    else:
        paragraphs.append("None is Red or getting worse.")
    short = audience is Audience.CABINET
    return Section(
        id="corporate-health",
        title="Corporate health",
        paragraphs=paragraphs,
        tables=[
            Table(
                id="corporate-health-table",
                caption=f"Corporate health indicators, {period}",
                columns=_indicator_columns(audience is Audience.MT),
                rows=chosen,
                sheet="Corporate health",
                header_key="indicator",
            )
        ]
        if not short
        else [],
    )

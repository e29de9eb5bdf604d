"""The pieces every report kind shares: the report frame and its bar charts.

Names with a leading underscore are this package's own: the report modules share them; callers
outside the package use `selectors.build`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth import models as auth
from django.utils import timezone

from performance.core import charts
from performance.core.periods import Period
from performance.reports.data import Audience, Chart, Kind, Report


def _report(kind: Kind, audience: Audience, period: Period, **fields: Any) -> Report:
    return Report(
        kind=kind.value,
        audience=audience.value,
        period=str(period),
        title=f"{kind.title} {period}",
        committee=audience.label,
        council=settings.COUNCIL_NAME,
        generated_at=timezone.localtime().isoformat(timespec="minutes"),
        **fields,
    )


def _person(user: auth.User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _bars(
    chart_id: str, title: str, counts: Counter[str], legend: dict[str, tuple[str, str]]
) -> Chart:
    bars = [charts.Bar(label, counts.get(key, 0), tone) for key, (label, tone) in legend.items()]
    description = "; ".join(f"{bar.label}: {bar.count}" for bar in bars)
    svg = charts.bar_chart(
        charts.BarChart(
            chart_id=chart_id, title=title, description=description, bars=bars, width=520
        )
    )
    # The text alternative in words only: a legend label starts with its status symbol.
    words = "; ".join(f"{_WORD_START.sub('', bar.label)}: {bar.count}" for bar in bars)
    return Chart(id=chart_id, title=title, svg=svg, summary=f"{title}. {words}.")


_WORD_START = re.compile(r"^\W+")

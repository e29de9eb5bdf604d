"""Red and Amber indicators spotlighted: comment, open action plan, chart and questions.

Performance comments are taken from activated values only; charts are drawn for every Red and
for an Amber with a special cause of concern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from performance.core import charts, spc, status
from performance.core.periods import Period
from performance.indicators import selectors as performance_selectors
from performance.models import Action, ActionPlan, ActionPlanVersion, Indicator, Value
from performance.plans import requests as plan_requests
from performance.reports.data import Chart, PlanAction, Spotlight
from performance.reports.selectors.common import _person
from performance.reports.selectors.statuses import STATUS_ORDER

CHART_POINTS = 16


def _comments(indicator_ids: Iterable[int], period: Period) -> dict[int, str]:
    """The performance comment of each indicator's activated value for `period`.

    For a monthly indicator in a quarterly report, the latest month of the quarter that has one.
    """
    labels = [str(period), *(str(m) for m in period.months())] if period.kind != "monthly" else []
    labels = labels or [str(period)]
    found: dict[int, tuple[dt.date, str]] = {}
    for indicator_id, start, comment in Value.objects.filter(
        indicator_id__in=list(indicator_ids),
        period__in=labels,
        status=Value.Status.ACTIVATED,
    ).values_list("indicator_id", "period_start", "comment"):
        if comment.strip() and (indicator_id not in found or start > found[indicator_id][0]):
            found[indicator_id] = (start, comment.strip())
    return {key: text for key, (_, text) in found.items()}


def _action_plans(
    indicator_ids: Iterable[int],
) -> dict[int, tuple[ActionPlan, ActionPlanVersion | None]]:
    """Each indicator's open action plan (the latest opened) and its current version. 4 queries."""
    plans = (
        ActionPlan.objects.filter(
            indicator_id__in=list(indicator_ids), status=ActionPlan.Status.OPEN
        )
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ActionPlanVersion.objects.prefetch_related(
                    Prefetch("actions", queryset=Action.objects.select_related("owner"))
                ),
            )
        )
        .order_by("indicator_id", "-opened_on", "-id")
    )
    result: dict[int, tuple[ActionPlan, ActionPlanVersion | None]] = {}
    for plan in plans:
        if plan.indicator_id in result:
            continue
        versions = sorted(plan.versions.all(), key=lambda v: v.number)
        # Never None: the plans were filtered on indicator_id__in.
        result[plan.indicator_id] = (plan, versions[-1] if versions else None)  # type: ignore[index]
    return result


_MARKERS = {
    spc.Variation.IMPROVING: charts.Marker.IMPROVING,
    spc.Variation.CONCERNING: charts.Marker.CONCERNING,
    spc.Variation.NEUTRAL: charts.Marker.NEUTRAL,
}


def _value_chart(
    indicator: Indicator, data: status.IndicatorData, period: Period, *, width: int = 680
) -> Chart | None:
    """Values against target with SPC limits, the last CHART_POINTS periods up to `period`."""
    facts = performance_selectors.indicator_facts(indicator)
    series, result = status.spc_for(
        facts, data, period, target=status.target_for(facts, data, period)
    )
    if not series:
        return None
    offset = max(0, len(series) - CHART_POINTS)
    points = [
        charts.ChartPoint(
            label=str(each),
            value=value,
            target=status.target_for(facts, data, each),
            marker=_MARKERS.get(result.points[index].variation, charts.Marker.COMMON),
        )
        for index, (each, value) in enumerate(series)
        if index >= offset
    ]
    limits = [
        charts.Limits(
            start=max(segment.start, offset) - offset,
            stop=segment.stop - offset,
            mean=segment.mean,
            # `has_limits` (below) means both limits were computed, together.
            upper=segment.upper_limit,  # type: ignore[arg-type]
            lower=segment.lower_limit,  # type: ignore[arg-type]
            upper_near=segment.upper_near,
            lower_near=segment.lower_near,
        )
        for segment in result.segments
        if segment.has_limits and segment.stop > offset
    ]
    kind = "XmR chart" if limits else "run chart"
    title = f"{indicator.code} {indicator.title}: values against target"
    description = (
        f"{kind.capitalize()} of {len(points)} periods to {period}. "
        f"{result.note or 'Process limits from the latest segment.'}"
    )
    svg = charts.value_chart(
        charts.ValueChart(
            chart_id=f"chart-{indicator.code}-{period}",
            title=title,
            description=description,
            points=points,
            limits=limits,
            decimals=indicator.decimals,
            unit=indicator.unit,
            width=width,
            plot_height=200,
        )
    )
    figures = [
        {
            "period": point.label,
            "value": charts.format_value(point.value, indicator.decimals, indicator.unit),
            "target": charts.format_value(point.target, indicator.decimals, indicator.unit),
            "reading": point.marker.value.replace("common", "common cause"),
        }
        for point in points
    ]
    return Chart(
        id=f"chart-{indicator.id}",
        title=title,
        svg=svg,
        note=result.note,
        data=figures,
        summary=_chart_words(indicator, title, points),
    )


_SIGNALS = {
    charts.Marker.IMPROVING: "a special cause of improving variation",
    charts.Marker.CONCERNING: "a special cause of concerning variation",
    charts.Marker.NEUTRAL: "a special cause (neither improving nor concerning)",
    charts.Marker.COMMON: "common-cause variation",
}


def _chart_words(indicator: Indicator, title: str, points: list[charts.ChartPoint]) -> str:
    """What a value chart shows, in words (its text alternative, issue 22): the latest value
    against its target, the trend over the chart and the SPC signals."""
    shown = [p for p in points if p.value is not None]
    if not shown:
        return f"{title}. No values yet."

    def fmt(value: Decimal) -> str:
        return charts.format_value(value, indicator.decimals, indicator.unit)

    first, latest = shown[0], shown[-1]
    # Both have values (filtered above); the asserts tell mypy.
    assert latest.value is not None
    assert first.value is not None
    words = f"{title}. Latest value {fmt(latest.value)} in {latest.label}"
    if latest.target is not None:
        words += f", against a target of {fmt(latest.target)}"
    if len(shown) > 1:
        change = "up" if latest.value > first.value else "down"
        trend = (
            f"the same as in {first.label}"
            if latest.value == first.value
            else f"{change} from {fmt(first.value)} in {first.label}"
        )
        words += f"; {trend}, over {len(shown)} periods"
    words += f". The latest point shows {_SIGNALS[latest.marker]}."
    kinds = []
    for marker in (charts.Marker.IMPROVING, charts.Marker.CONCERNING, charts.Marker.NEUTRAL):
        marked = [p.label for p in shown if p.marker == marker]
        if marked:
            when = marked[0] if len(marked) == 1 else f"between {marked[0]} and {marked[-1]}"
            kinds.append(f"{len(marked)} {marker.value} {when}")
    if not kinds:
        return words + " No special-cause points."
    return words + " Special-cause points: " + "; ".join(kinds) + "."


def _questions(spotlight: Spotlight) -> list[str]:
    """Questions Overview & Scrutiny may put to the service, from what the data shows."""
    asks = []
    if not spotlight.comment:
        asks.append(f"No performance comment was given for {spotlight.code}: what explains it?")
    if not spotlight.plan_title and spotlight.plan_status.startswith("No plan:"):
        asks.append(
            f"The service judged that {spotlight.code} needs no action plan "
            f"({spotlight.plan_status.removeprefix('No plan: ')}): is that still right?"
        )
    elif not spotlight.plan_title and spotlight.plan_status:
        asks.append(
            f"An action plan has been asked for {spotlight.code}: when will it be in place?"
        )
    elif not spotlight.plan_title:
        asks.append(
            f"No open action plan is recorded for {spotlight.code}: what will be done to bring it "
            "back to target, and by when?"
        )
    else:
        overdue = sum(1 for a in spotlight.actions if a.status == "Overdue")
        asks.append(
            f"Is the action plan “{spotlight.plan_title}” on course to bring {spotlight.code} back "
            f"to target{f', with {overdue} action(s) overdue' if overdue else ''}?"
        )
    if spotlight.dot_year == "deteriorating":
        asks.append("Performance is worse than a year ago: what has changed?")
    if spotlight.assurance == spc.Assurance.FAIL.value:
        asks.append(
            "The process consistently fails its target: is the target realistic, or must the "
            "process change?"
        )
    return asks


def _spotlights(
    indicators: dict[int, Indicator],
    rows: list[dict[str, Any]],
    period: Period,
    *,
    with_charts: bool,
    with_questions: bool,
) -> list[Spotlight]:
    """Every Red then Amber indicator with its comment, action plan and (optionally) chart."""
    chosen = sorted(
        (row for row in rows if row["status"] in ("red", "amber")),
        key=lambda row: (STATUS_ORDER.index(row["status"]), row["indicator"]),
    )
    ids = [row["indicator_id"] for row in chosen]
    comments = _comments(ids, period)
    plans = _action_plans(ids)
    # Without an open plan: a plan requested, or none needed (issue 20).
    answers = plan_requests.answers_for([i for i in ids if i not in plans])
    # A chart where it tells the committee something: every Red, and an Amber whose SPC shows
    # a special cause of concern. An Amber in common-cause variation is read from its figures
    # (its SPC reading is in the facts); 400 more charts would double a county's PDF.
    charted = {
        row["indicator_id"]
        for row in chosen
        if with_charts
        and (row["status"] == "red" or row["variation"] == spc.Variation.CONCERNING.value)
    }
    data = performance_selectors.indicator_data(list(charted), until=period.end) if charted else {}
    result = []
    for row in chosen:
        indicator = indicators[row["indicator_id"]]
        plan, version = plans.get(indicator.id, (None, None))
        spotlight = Spotlight(
            indicator_id=indicator.id,
            code=indicator.code,
            title=indicator.title,
            team=row["team"],
            status=row["status"],
            value=charts.format_value(
                Decimal(row["value"]) if row["value"] else None, indicator.decimals, indicator.unit
            ),
            target=charts.format_value(
                Decimal(row["target"]) if row["target"] else None,
                indicator.decimals,
                indicator.unit,
            ),
            dot_previous=row["dot_previous"],
            dot_year=row["dot_year"],
            variation=spc.Variation(row["variation"]).label,
            assurance=row["assurance"],
            comment=comments.get(indicator.id, ""),
            plan_title=plan.title if plan else "",
            plan_version=version.number if version else None,
            plan_status=f"Open since {plan.opened_on:%-d %B %Y}, owner {_person(plan.owner)}"
            if plan
            else (answers[indicator.id].text if indicator.id in answers else ""),
            actions=[
                PlanAction(
                    description=action.description,
                    owner=_person(action.owner),
                    due=f"{action.due_on:%-d %b %Y}",
                    status=action.get_status_display(),
                    progress=action.progress_note,
                )
                for action in (version.actions.all() if version else [])
            ],
            chart=_value_chart(indicator, data[indicator.id], period)
            if indicator.id in charted
            else None,
        )
        if with_questions:
            spotlight.questions = _questions(spotlight)
        result.append(spotlight)
    return result

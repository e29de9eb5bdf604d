"""The figures of one indicator's page, cached: a selector.

`figures_for(indicator, today)` gives an indicator's `Figures`: its status for the default period
(with SPC), its history rows, its chart and the periods a comment may be about. They depend only on
the indicator's data and today's date, so they are the same for every reader: computed once per
change of the "indicators" generation and kept in a bounded store (`_FigureStore`) in the
process cache. Only activated values count (`selectors.indicator_history`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from performance.common import cache as generations
from performance.core import charts, periods, spc, status
from performance.core.periods import Frequency, Period
from performance.indicators import forecasts, selectors
from performance.indicators.forms import CommentForm
from performance.indicators.presentation import DIRECTION_TAGS, LEVEL_TAGS, Tag
from performance.models import Indicator

# The indicator page shows this many recent periods unless asked for all of them.
HISTORY_ROWS = 24


@dataclass(frozen=True, slots=True)
class HistoryRow:
    period: str
    value: str
    target: str
    level: Tag
    direction: Tag
    comment: str


@dataclass(frozen=True, slots=True)
class Figures:
    """What an indicator's page shows that depends only on the indicator's data and today's
    date: the same for every reader, so computed once per change of the "indicators"
    generation (`figures_for`). Nothing here is per person or per request."""

    facts: status.IndicatorFacts
    data: status.IndicatorData
    own_latest: Period
    default: Period  # the period shown unless another is asked for
    current: status.Status  # the status at `default`, with SPC
    history_periods: tuple[Period, ...]  # every period with figures, newest first
    history: tuple[HistoryRow, ...]  # the latest HISTORY_ROWS of them, formatted
    history_html: str  # and rendered as table rows
    comments: dict[str, str]  # performance comments of the values, by period
    chart_svg: str
    spc: spc.SpcResult
    series_count: int
    value_starts: tuple[dt.date, ...]  # starts of the charted values, in order
    commentable: tuple[str, ...]  # periods a comment may be about, newest first
    comment_fields_html: str  # the fields of an empty comment form about those periods
    target_count: int
    # The year-end forecast at `default` (issue 20), None for an annual indicator.
    forecast: forecasts.Forecast | None = None


class _FigureStore:
    """Figures of many indicators under one generation: a bounded, thread-safe LRU.

    One store lives as one entry of the process cache (`performance.common.cache.cached`), so a new
    generation starts an empty store, `MAX_AGE` bounds the age of every figure in it, tests
    clear it with the rest, and browsing hundreds of indicators does not push the shared
    figures (the statuses of every indicator) out of the small process cache.
    """

    SIZE = 128  # about 120 kB each for a monthly indicator with ten years of values

    def __init__(self) -> None:
        self._entries: OrderedDict[int, Figures] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def new(cls) -> _FigureStore:
        """A store for a new generation (or day); the previous one is emptied, since its
        figures are of data that has changed, though the process cache may keep the (empty)
        store a while longer."""
        store = cls()
        with _retired_lock:
            for old in _current_stores:
                old.clear()
            _current_stores[:] = [store]
        return store

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, pk: int, compute: Callable[[], Figures]) -> Figures:
        with self._lock:
            found = self._entries.get(pk)
            if found is not None:
                self._entries.move_to_end(pk)
                return found
        found = compute()
        with self._lock:
            self._entries[pk] = found
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)
        return found


_current_stores: list[_FigureStore] = []


_retired_lock = threading.Lock()


def figures_for(indicator: Indicator, today: dt.date) -> Figures:
    """The indicator's `Figures`, from the process cache when its data has not changed.

    Keyed by today's date and the collection window length (they decide which periods count
    as No data and the default period) under the "indicators" generation, which every save of
    an indicator, value, target, change point, team, service or directorate bumps. One query
    when cached (the generation's token).
    """
    key = f"indicator-figures|{today.isoformat()}|window={settings.COLLECTION_WINDOW_DAYS}"
    store = generations.cached(key, ["indicators"], _FigureStore.new)
    return store.get(indicator.pk, lambda: _compute_figures(indicator, today))


def _compute_figures(indicator: Indicator, today: dt.date) -> Figures:
    facts = selectors.indicator_facts(indicator)
    record = selectors.indicator_history(indicator.id, until=today)
    data = record.data
    own_latest = _own_latest(facts.frequency, today)
    default = own_latest
    if str(own_latest) not in data.values and not selectors.window_closed(own_latest, today=today):
        default = own_latest.previous()
    current = status.status_for(
        facts, data, default, window_closed=selectors.window_closed(default, today=today)
    )

    # History at the indicator's own frequency, newest first: any period with a value, a
    # target or a No data mark, up to the latest requested period.
    known = [status.parsed(text) for text in [*data.values, *data.targets, *data.no_data]]
    known = [each for each in known if each.kind is facts.frequency and each <= own_latest]
    history_periods = []
    if known:
        history_periods = [
            each
            for each in reversed(periods.between(min(known), max([*known, default])))
            if status.has_figures(facts, data, each)
        ]
    history = history_rows(
        indicator, facts, data, history_periods[:HISTORY_ROWS], record.comments, today=today
    )

    chart_until = max((status.parsed(text) for text in data.values), default=own_latest)
    if chart_until.kind is not facts.frequency:  # values of another frequency: use its periods
        chart_until = periods.containing(chart_until.end, facts.frequency)
    chart_svg, spc_result, series = _chart(indicator, facts, data, chart_until)
    return Figures(
        facts=facts,
        data=data,
        own_latest=own_latest,
        default=default,
        current=current,
        history_periods=tuple(history_periods),
        history=history,
        history_html=render_to_string(
            "performance/indicators/detail.html#history-rows", {"history": history}
        ),
        comments=record.comments,
        chart_svg=chart_svg,
        spc=spc_result,
        series_count=len(series),
        value_starts=tuple(sorted(each.start for each, _ in series)),
        commentable=record.commentable,
        comment_fields_html=render_to_string(
            "performance/indicators/detail.html#comment-fields",
            {"comment_form": CommentForm(period_labels=record.commentable)},
        ),
        target_count=record.target_count,
        forecast=(
            None
            if facts.frequency is Frequency.ANNUAL
            else forecasts.forecasts_of(
                [indicator], year=default.financial_year, as_of=default
            ).get(indicator.id)
        ),
    )


def history_rows(
    indicator: Indicator,
    facts: status.IndicatorFacts,
    data: status.IndicatorData,
    shown: Iterable[Period],
    comments: Mapping[str, str],
    *,
    today: dt.date,
) -> tuple[HistoryRow, ...]:
    """The history table's rows for the periods `shown`, formatted."""
    fmt = lambda value: charts.format_value(value, indicator.decimals, indicator.unit)  # noqa: E731
    rows = []
    for each in shown:
        found = status.status_for(
            facts,
            data,
            each,
            window_closed=selectors.window_closed(each, today=today),
            with_spc=False,
        )
        rows.append(
            HistoryRow(
                period=str(each),
                value=fmt(found.actual),
                target=fmt(found.target),
                level=LEVEL_TAGS[found.level],
                direction=DIRECTION_TAGS[found.dot_previous],
                comment=comments.get(str(each), ""),
            )
        )
    return tuple(rows)


def _own_latest(frequency: Frequency, today: dt.date) -> Period:
    """The latest period of the indicator's own frequency whose data has been requested."""
    return periods.containing(today, frequency).previous()


def _chart(
    indicator: Indicator, facts: status.IndicatorFacts, data: status.IndicatorData, until: Period
) -> tuple[str, spc.SpcResult, list[tuple[Period, Decimal]]]:
    latest_target = status.target_for(facts, data, until)
    series, result = status.spc_for(facts, data, until, target=latest_target)
    markers = {
        spc.Variation.IMPROVING: charts.Marker.IMPROVING,
        spc.Variation.CONCERNING: charts.Marker.CONCERNING,
        spc.Variation.NEUTRAL: charts.Marker.NEUTRAL,
    }
    points = [
        charts.ChartPoint(
            label=str(each),
            value=value,
            target=status.target_for(facts, data, each),
            marker=markers.get(result.points[i].variation, charts.Marker.COMMON),
        )
        for i, (each, value) in enumerate(series)
    ]
    limits = [
        charts.Limits(
            start=segment.start,
            stop=segment.stop,
            mean=segment.mean,
            upper=segment.upper_limit,
            lower=segment.lower_limit,
            upper_near=segment.upper_near,
            lower_near=segment.lower_near,
        )
        for segment in result.segments
        if segment.has_limits
    ]
    fmt = lambda value: charts.format_value(value, indicator.decimals, indicator.unit)  # noqa: E731
    if series:
        kind = "XmR chart" if limits else "Run chart"
        words = f"{kind} of {len(series)} values from {series[0][0]} to {series[-1][0]}; latest {fmt(series[-1][1])}"
        if latest_target is not None:
            words += f" against a target of {fmt(latest_target)}"
        if result.latest and result.latest.has_limits:
            words += (
                f". Mean {fmt(result.mean)}, upper process limit {fmt(result.upper_limit)}, "
                f"lower process limit {fmt(result.lower_limit)}"
            )
        special = sum(1 for point in result.points if point.special_cause)
        words += f". {special} special-cause point{'s' if special != 1 else ''}. The history table below lists every value."
    else:
        words = "No activated values yet."
    svg = charts.value_chart(
        charts.ValueChart(
            chart_id=f"indicator-{indicator.pk}-chart",
            title=f"{indicator.code} {indicator.title}: values against target",
            description=words,
            points=points,
            limits=limits,
            decimals=indicator.decimals,
            unit=indicator.unit,
        )
    )
    return svg, result, series

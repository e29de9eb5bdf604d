"""Indicator pages: the filtered list and one indicator with its chart, history and comments.

Only activated values appear here (drafts are the collection cycle's business): the figures
come from `selectors.indicator_data`, which reads activated values and No data marks only.
A person sees an indicator when its team is one they may read (`access.teams_readable`);
performance officers and members see every indicator, unassigned ones included. Anything
else is a 404, so the page does not confirm that another team's indicator exists.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from performance.common import access, audit, hooks
from performance.common import cache as generations
from performance.common.forms import GovukMixin, error_summary
from performance.core import charts, periods, spc, status
from performance.core.calculations import Direction, Level, SmartRecord, smart_gaps
from performance.core.periods import Frequency, Period, PeriodError
from performance.indicators import selectors
from performance.models import (
    ActionPlan,
    Indicator,
    IndicatorComment,
    LongTermTarget,
    Target,
)

PAGE_SIZE = 50
# The indicator page shows this many recent periods and targets unless asked for all of them.
HISTORY_ROWS = 24
TARGET_ROWS = 12

# --- how a status reads: icon and words, never colour alone ----------------------------------


@dataclass(frozen=True, slots=True)
class Tag:
    """An icon (decorative, hidden from screen readers) and the words that carry the meaning."""

    icon: str
    label: str
    tone: str


LEVEL_TAGS: dict[Level | None, Tag] = {
    Level.SUMMIT: Tag("✔", "Summit (Green)", "green"),
    Level.FIRSTBASE: Tag("▲", "Firstbase (Amber)", "amber"),
    Level.BASECAMP: Tag("✖", "Basecamp (Red)", "red"),
    Level.NO_DATA: Tag("?", "No data", "grey"),
    None: Tag("–", "Not rated", "none"),
}
DIRECTION_TAGS: dict[Direction, Tag] = {
    Direction.IMPROVING: Tag("↑", "Improving", "improving"),
    Direction.DETERIORATING: Tag("↓", "Deteriorating", "deteriorating"),
    Direction.STABLE: Tag("→", "Stable", "stable"),
    Direction.NONE: Tag("–", "No comparison", "none"),
}
VARIATION_TAGS: dict[spc.Variation, Tag] = {
    spc.Variation.COMMON: Tag("≈", spc.Variation.COMMON.label, "common"),
    spc.Variation.IMPROVING: Tag("★", spc.Variation.IMPROVING.label, "improving"),
    spc.Variation.CONCERNING: Tag("!", spc.Variation.CONCERNING.label, "concerning"),
    spc.Variation.NEUTRAL: Tag("◇", spc.Variation.NEUTRAL.label, "neutral"),
    spc.Variation.NONE: Tag("–", spc.Variation.NONE.label, "none"),
}
ASSURANCE_TAGS: dict[spc.Assurance, Tag] = {
    spc.Assurance.PASS: Tag("P", spc.Assurance.PASS.label, "pass"),
    spc.Assurance.FAIL: Tag("F", spc.Assurance.FAIL.label, "fail"),
    spc.Assurance.HIT_AND_MISS: Tag("H", spc.Assurance.HIT_AND_MISS.label, "hit-and-miss"),
    spc.Assurance.NONE: Tag("–", spc.Assurance.NONE.label, "none"),
}
# The `status` codes of SPEC §12, used by the filter and in URLs.
STATUS_CHOICES = [
    ("green", "✔ Summit (Green)"),
    ("amber", "▲ Firstbase (Amber)"),
    ("red", "✖ Basecamp (Red)"),
    ("no_data", "? No data"),
    ("none", "– Not rated"),
]
DIRECTION_CHOICES = [
    ("improving", "↑ Improving"),
    ("deteriorating", "↓ Deteriorating"),
    ("stable", "→ Stable"),
    ("none", "– No comparison"),
]
BAR_TONES = {"green": "green", "amber": "amber", "red": "red", "no_data": "grey", "none": "none"}


def level_tag(level: Level | None) -> Tag:
    return LEVEL_TAGS[level]


# --- scope ------------------------------------------------------------------------------------


# --- rows -------------------------------------------------------------------------------------


def readable_statuses(user, period: Period, *, today: dt.date) -> list[selectors.IndicatorStatus]:
    """Active indicators `user` may read, with their status for `period`, ordered by code.

    The statuses are computed once for every reader (`selectors.period_statuses`, cached) and
    filtered here: everything for officers and members, else the indicators of their teams.
    """
    items = selectors.period_statuses(period, today=today)
    teams = access.readable_team_ids(user)
    if teams is None:
        return list(items)
    return [item for item in items if item.team_id in teams]


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator's line in a list: its figures for a period, formatted for reading."""

    indicator: selectors.IndicatorStatus
    reports: bool  # False when the indicator does not report at the period's frequency
    value: str
    target: str
    level: Tag
    direction: Tag
    status_code: str
    direction_code: str

    @property
    def attention(self) -> bool:
        """Red, or deteriorating: where an action plan may be needed (SPEC §2)."""
        return self.status_code == "red" or self.direction_code == "deteriorating"


def row_for(item: selectors.IndicatorStatus) -> Row:
    found = item.status
    if found is None:
        return Row(
            item, False, "–", "–", LEVEL_TAGS[None], DIRECTION_TAGS[Direction.NONE], "none", "none"
        )
    return Row(
        indicator=item,
        reports=True,
        value=charts.format_value(found.actual, item.decimals, item.unit),
        target=charts.format_value(found.target, item.decimals, item.unit),
        level=LEVEL_TAGS[found.level],
        direction=DIRECTION_TAGS[found.dot_previous],
        status_code=found.status,
        direction_code=found.dot_previous.value,
    )


def rows_for(items) -> list[Row]:
    """Formatted rows of `items` (`selectors.IndicatorStatus`), in the order given: format
    only what a page shows."""
    return [row_for(item) for item in items]


def level_counts(items) -> list[tuple[str, Tag, int]]:
    """(status code, tag, count) for every status, in the order of STATUS_CHOICES, counting the
    `items` (rows or `selectors.IndicatorStatus`) that report at the period."""
    counts = dict.fromkeys((code for code, _ in STATUS_CHOICES), 0)
    for item in items:
        if item.reports:
            counts[item.status_code] += 1
    return [(code, STATUS_TAGS[code], count) for code, count in counts.items()]


STATUS_TAGS = {
    "green": LEVEL_TAGS[Level.SUMMIT],
    "amber": LEVEL_TAGS[Level.FIRSTBASE],
    "red": LEVEL_TAGS[Level.BASECAMP],
    "no_data": LEVEL_TAGS[Level.NO_DATA],
    "none": LEVEL_TAGS[None],
}


def direction_counts(items) -> list[tuple[str, Tag, int]]:
    counts = dict.fromkeys((code for code, _ in DIRECTION_CHOICES), 0)
    for item in items:
        if item.reports:
            counts[item.direction_code] += 1
    return [(code, DIRECTION_TAGS[Direction(code)], count) for code, count in counts.items()]


def rag_chart(counted: list[tuple[str, Tag, int]], *, chart_id: str, title: str) -> str:
    """A bar chart of `level_counts`, described in words for screen readers."""
    words = "; ".join(f"{tag.label}: {count}" for _, tag, count in counted)
    return charts.bar_chart(
        charts.BarChart(
            chart_id=chart_id,
            title=title,
            description=f"Number of indicators at each status. {words}.",
            bars=[
                charts.Bar(f"{tag.icon} {tag.label}", count, BAR_TONES[code])
                for code, tag, count in counted
            ],
        )
    )


# --- forms ------------------------------------------------------------------------------------


def period_choices(today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """Recent periods whose data has been requested: 8 quarters, 12 months, 3 years."""
    quarter = periods.quarter_of(today).previous()
    month = periods.month_of(today).previous()
    year = periods.financial_year_of(today).previous()
    return [
        ("Quarters", [(str(quarter.shift(-i)),) * 2 for i in range(8)]),
        ("Months", [(str(month.shift(-i)),) * 2 for i in range(12)]),
        ("Financial years", [(str(year.shift(-i)),) * 2 for i in range(3)]),
    ]


class PlainSelect(forms.Select):
    """A select whose options are written in Python, not through a template each.

    The team filter lists every team an officer may read (hundreds at scale), and Django's
    widget templates cost about a tenth of a millisecond per option; this writes the same
    markup (optgroups included) directly.
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', context["name"], flatatt(context["attrs"]))]
        for group, options, _ in context["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        mark_safe(" selected") if option["selected"] else "",
                        option["label"],
                    )
                )
            if group:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))


class IndicatorPageForm(GovukMixin, forms.Form):
    # Regular labels, none marked "(optional)": every filter may be left blank.
    label_size = ""
    mark_optional = False


class IndicatorFilterForm(IndicatorPageForm):
    q = forms.CharField(label="Code or title", required=False, max_length=100)
    # The id of a team the person may read (choices set per person below).
    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *Indicator.Kind.choices],
        widget=PlainSelect,
    )
    perspective = forms.ChoiceField(
        label="Perspective",
        required=False,
        choices=[("", "All perspectives"), *Indicator.Perspective.choices],
        widget=PlainSelect,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *STATUS_CHOICES],
        widget=PlainSelect,
    )
    direction = forms.ChoiceField(
        label="Direction of travel",
        required=False,
        choices=[("", "Any direction"), *DIRECTION_CHOICES],
        widget=PlainSelect,
    )
    period = forms.CharField(label="Period", required=False, widget=PlainSelect)

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_period = selectors.latest_reporting_period(today=today)
        self.fields["team"].choices = [
            ("", "All teams"),
            *access.teams_readable(user).order_by("name").values_list("id", "name"),
        ]
        choices = period_choices(today)
        asked = (self.data.get("period") or "").strip()
        listed = {value for _, group in choices for value, _ in group}
        if asked and asked not in listed:
            # An older period typed into the URL: keep it selectable if it is a real period.
            with contextlib.suppress(PeriodError):
                choices.insert(0, ("Chosen", [(str(periods.parse(asked)),) * 2]))
        self.fields["period"].widget.choices = choices
        self.fields["period"].initial = str(self.default_period)

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period", "")
        if not text.strip():
            return self.default_period
        try:
            return periods.parse(text)
        except PeriodError as error:
            raise forms.ValidationError(f"Enter a real period: {error}") from error


class CommentForm(IndicatorPageForm):
    text = forms.CharField(
        label="Your comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your comment"},
    )
    period = forms.ChoiceField(label="About which period", required=False, widget=PlainSelect)

    def __init__(self, *args, period_labels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            ("", "The indicator in general"),
            *((label, label) for label in period_labels),
        ]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter your comment")
        return text


# --- the list ---------------------------------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def indicator_list(request: HttpRequest) -> HttpResponse:
    """Active indicators the person may read, filtered, with their status for one period.

    Queries are fixed whatever the number of indicators: the statuses of every active
    indicator come from `selectors.period_statuses` (one query when cached, four when not) and
    are filtered in Python; only the page shown (PAGE_SIZE rows) is formatted.
    """
    today = timezone.localdate()
    form = IndicatorFilterForm(request.GET or None, user=request.user, today=today)
    items: list[selectors.IndicatorStatus] = []
    period = form.default_period
    if not request.GET or form.is_valid():
        filters = form.cleaned_data if request.GET else {}
        period = filters.get("period") or form.default_period
        items = readable_statuses(request.user, period, today=today)
        if filters.get("q"):
            # As `icontains` would: the words anywhere in the code or the title, any case.
            words = filters["q"].casefold()
            items = [i for i in items if words in i.code.casefold() or words in i.title.casefold()]
        if filters.get("team"):
            items = [i for i in items if i.team_id == filters["team"]]
        for name in ("kind", "perspective"):
            if filters.get(name):
                items = [i for i in items if getattr(i, name) == filters[name]]
        if filters.get("status"):
            items = [i for i in items if i.status_code == filters["status"]]
        if filters.get("direction"):
            items = [i for i in items if i.direction_code == filters["direction"]]
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "errors": error_summary(form),
        "period": period,
        "period_label": str(period),
        "page": page,
        "rows": rows_for(page.object_list),
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "total": len(items),
    }
    template = "performance/indicators/list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#indicator-results"
    return render(request, template, context)


# --- one indicator ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryRow:
    period: str
    value: str
    target: str
    level: Tag
    direction: Tag
    comment: str


@dataclass(frozen=True, slots=True)
class TargetRow:
    period: str
    value: str
    gaps: list[str]
    hints: list[str]


def _own_latest(frequency: Frequency, today: dt.date) -> Period:
    """The latest period of the indicator's own frequency whose data has been requested."""
    return periods.containing(today, frequency).previous()


def _smart(
    target: Target | LongTermTarget, indicator: Indicator, *, period: str, trend: bool
) -> tuple[list[str], list[str]]:
    record = SmartRecord(
        linked_to=target.outcome.title if target.outcome else None,
        unit=indicator.unit,
        value=target.value,
        baseline=indicator.baseline,
        trend_evidence=trend or bool(target.achievable_evidence.strip()),
        benchmark_quartile=target.benchmark_quartile,
        realistic=target.realistic,
        realism_note=target.realism_note,
        period=period,
    )
    gaps = smart_gaps(record)
    return [gap.value for gap in gaps], [f"{gap.value}: {gap.hint}" for gap in gaps]


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


def _shortfall_words(shortfall: Decimal | None) -> str:
    """The shortfall of SPEC §4 in words: negative means better than target."""
    if shortfall is None:
        return "–"
    if shortfall <= 0:
        better = charts.format_value(-shortfall, 1, "percent")
        return "On target" if better == "0.0%" else f"None: {better} better than target"
    return f"{charts.format_value(shortfall, 1, 'percent')} short of target"


def _action_plan_url(plan: ActionPlan) -> str | None:
    """The action plan's page, once the engineer who owns those pages has added it."""
    try:
        return reverse("performance:action-plan-detail", args=[plan.pk])
    except NoReverseMatch:
        return None


@dataclass(frozen=True, slots=True)
class Figures:
    """What an indicator's page shows that depends only on the indicator's data and today's
    date: the same for every reader, so computed once per change of the "indicators"
    generation (`_figures`). Nothing here is per person or per request."""

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


def _figures(indicator: Indicator, today: dt.date) -> Figures:
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
    history = _history_rows(
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
    )


def _history_rows(
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


def _detail_context(
    request: HttpRequest, indicator: Indicator, *, comment_form: CommentForm | None = None
) -> dict:
    """The page's context: the shared `Figures`, then what is read per request (targets with
    their SMART test, people, plans, evidence, comments: data the "indicators" generation
    does not watch) and what is per person (the comment form, links)."""
    today = timezone.localdate()
    figures = _figures(indicator, today)
    facts, default = figures.facts, figures.default

    period, period_error, current = default, None, figures.current
    asked = request.GET.get("period", "").strip()
    if asked:
        try:
            period = periods.parse(asked)
            if not status.applies(facts, period):
                raise PeriodError(
                    f"{indicator.code} reports {facts.frequency.value}; {asked!r} is shorter than that"
                )
        except PeriodError as error:
            period, period_error = default, f"{error}. Showing {default} instead."
        if period != default:
            current = status.status_for(
                facts,
                figures.data,
                period,
                window_closed=selectors.window_closed(period, today=today),
            )

    show_all = request.GET.get("all") == "1"
    history = figures.history
    if show_all:  # every period: the rows beyond the latest are formatted on request
        history = _history_rows(
            indicator, facts, figures.data, figures.history_periods, figures.comments, today=today
        )

    # Targets with their SMART test, read per request: a target's outcome (deleted outcomes
    # are unlinked without a signal) is not watched by the "indicators" generation.
    targets = Target.objects.filter(indicator=indicator).select_related("outcome")
    targets = targets.order_by("-period_start")
    target_rows = []
    for target in targets if show_all else targets[:TARGET_ROWS]:
        earlier = bisect.bisect_left(figures.value_starts, target.period_start)  # values before
        gaps, hints = _smart(target, indicator, period=target.period, trend=earlier >= 3)
        target_rows.append(
            TargetRow(
                target.period,
                charts.format_value(target.value, indicator.decimals, indicator.unit),
                gaps,
                hints,
            )
        )
    long_term_rows = []
    for target in LongTermTarget.objects.filter(indicator=indicator).select_related("outcome"):
        gaps, hints = _smart(
            target, indicator, period=target.by_year, trend=figures.series_count >= 3
        )
        long_term_rows.append(
            TargetRow(
                target.by_year,
                charts.format_value(target.value, indicator.decimals, indicator.unit),
                gaps,
                hints,
            )
        )

    plans = [
        (plan, _action_plan_url(plan))
        for plan in ActionPlan.objects.filter(indicator=indicator).select_related("owner")
    ]
    # An empty comment form is the same for everyone: its fields come rendered with the
    # figures. A refused one (`comment_form`) is rendered with its errors.
    can_comment = access.may_comment(request.user)
    fmt = lambda value: charts.format_value(value, indicator.decimals, indicator.unit)  # noqa: E731
    spc_result = figures.spc
    return {
        "indicator": indicator,
        "period": period,
        "period_error": period_error,
        "current": current,
        "current_value": fmt(current.actual),
        "current_target": fmt(current.target),
        "current_shortfall": _shortfall_words(current.shortfall),
        "level": LEVEL_TAGS[current.level],
        "dot_previous": DIRECTION_TAGS[current.dot_previous],
        "dot_year": DIRECTION_TAGS[current.dot_year],
        "variation": VARIATION_TAGS[current.variation],
        "assurance": ASSURANCE_TAGS[current.assurance],
        "chart_svg": figures.chart_svg,
        "spc": spc_result,
        "spc_mean": fmt(spc_result.mean) if spc_result.points else "–",
        "spc_upper": fmt(spc_result.upper_limit),
        "spc_lower": fmt(spc_result.lower_limit),
        "series_count": figures.series_count,
        "show_all": show_all,
        "history": history,
        "history_html": None if show_all else mark_safe(figures.history_html),
        "history_count": len(figures.history_periods),
        "target_rows": target_rows,
        "target_count": figures.target_count,
        "long_term_rows": long_term_rows,
        "baseline": fmt(indicator.baseline) if indicator.baseline is not None else None,
        "enterers": list(indicator.enterers.order_by("last_name", "first_name")),
        "managers": list(indicator.managers.order_by("last_name", "first_name")),
        "plans": plans,
        # Working papers of the values, for those who may see the team's data (else None).
        "evidence": hooks.one(hooks.INDICATOR_EVIDENCE)(request.user, indicator),
        "comments": list(indicator.comments.select_related("author")),
        "can_comment": can_comment,
        "perms_officer": access.is_performance_officer(request.user),
        "comment_form": comment_form,
        "errors": error_summary(comment_form),
        "comment_fields_html": mark_safe(figures.comment_fields_html),
    }


@require_GET
@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access.indicator_for(request.user, pk, related=["team", "team__directorate"])
    return render(
        request, "performance/indicators/detail.html", _detail_context(request, indicator)
    )


@require_POST
@login_required
def indicator_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a reader's comment to an indicator; audited. Bad input re-shows the page with errors."""
    indicator = access.indicator_for(request.user, pk, related=["team", "team__directorate"])
    if not access.may_comment(request.user):
        raise PermissionDenied("Only members and officers may comment on indicators.")
    commentable = _figures(indicator, timezone.localdate()).commentable
    form = CommentForm(request.POST, period_labels=commentable)
    if not form.is_valid():
        context = _detail_context(request, indicator, comment_form=form)
        return render(request, "performance/indicators/detail.html", context, status=400)
    with transaction.atomic():
        comment = IndicatorComment.objects.create(
            indicator=indicator,
            period=form.cleaned_data["period"],
            author=request.user,
            text=form.cleaned_data["text"],
        )
        audit.created(actor=request.user, instance=comment, fields=["indicator", "period", "text"])
    messages.success(request, "Your comment has been added.")
    return redirect(f"{reverse('performance:indicator-detail', args=[indicator.pk])}#comments")

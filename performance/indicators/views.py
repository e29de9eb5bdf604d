"""Indicator pages: the filtered list and one indicator with its chart, history and comments.

Only activated values appear here (drafts are the collection cycle's business): the figures
come from `selectors`, which read activated values and No data marks only. A person sees an
indicator when it is in `Indicator.objects.readable_by(user)` (`access.indicator_for`): the
indicators of the teams they may read; performance officers and members see every indicator,
unassigned ones included. Anything else is a 404, so the page does not confirm that another
team's indicator exists. What the pages share with the dashboard (tags, rows, counts) is in
`presentation`, the forms in `forms`, an indicator's cached figures in `figures`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from performance.common import access, audit, hooks
from performance.common.forms import error_summary
from performance.core import charts, periods, status
from performance.core.calculations import SmartRecord, smart_gaps
from performance.core.periods import PeriodError
from performance.indicators import forecasts, selectors
from performance.indicators.figures import figures_for, history_rows
from performance.indicators.forms import CommentForm, IndicatorFilterForm
from performance.indicators.presentation import (
    ASSURANCE_TAGS,
    DIRECTION_TAGS,
    LEVEL_TAGS,
    VARIATION_TAGS,
    readable_statuses,
    rows_for,
)
from performance.models import (
    ActionPlan,
    Indicator,
    IndicatorComment,
    LongTermTarget,
    Target,
)

PAGE_SIZE = 50
# The indicator page shows this many recent targets unless asked for all of them.
TARGET_ROWS = 12


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


@dataclass(frozen=True, slots=True)
class TargetRow:
    period: str
    value: str
    gaps: list[str]
    hints: list[str]


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


def _detail_context(
    request: HttpRequest, indicator: Indicator, *, comment_form: CommentForm | None = None
) -> dict:
    """The page's context: the shared `Figures`, then what is read per request (targets with
    their SMART test, people, plans, evidence, comments: data the "indicators" generation
    does not watch) and what is per person (the comment form, links)."""
    today = timezone.localdate()
    figures = figures_for(indicator, today)
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
        history = history_rows(
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
        for plan in ActionPlan.objects.readable_by(request.user)
        .filter(indicator=indicator)
        .select_related("owner")
    ]
    # An empty comment form is the same for everyone: its fields come rendered with the
    # figures. A refused one (`comment_form`) is rendered with its errors.
    can_comment = access.may_comment(request.user)
    fmt = lambda value: charts.format_value(value, indicator.decimals, indicator.unit)  # noqa: E731
    spc_result = figures.spc
    forecast = _forecast(indicator, period, fmt, figures.forecast if period == default else None)
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
        "forecast": forecast,
    }


def _forecast(
    indicator: Indicator, period: periods.Period, fmt, found: forecasts.Forecast | None
) -> dict | None:
    """The year-end forecast of `period`'s financial year as known at `period` (issue 20): the
    officer's and the projection, the one chosen, and its status against the annual target.
    `found` is the shared figures' one for the default period; another period reads its own.
    None for an annual indicator, or without an annual target or an officer's forecast."""
    if indicator.frequency == Indicator.FrequencyChoice.ANNUAL:
        return None
    year = period.financial_year
    if found is None:
        found = forecasts.forecasts_for(
            indicator_ids=[indicator.id],
            year=str(year),
            as_of=None if period == year else str(period),
        ).get(indicator.id)
    if found is None or (found.target is None and found.officer is None):
        return None
    officer = found.officer
    return {
        "year": year,
        "value": fmt(found.value),
        "source": found.source.value if found.source else "",
        "level": LEVEL_TAGS[found.level],
        "target": fmt(found.target),
        "officer": officer,
        "officer_value": fmt(officer.value) if officer else None,
        "projection": fmt(found.projection.value),
        "projection_value": found.projection.value,
        "method": found.projection.label,
        "note": found.projection.note if found.projection.method else "",
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
    commentable = figures_for(indicator, timezone.localdate()).commentable
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

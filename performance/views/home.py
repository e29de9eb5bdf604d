"""Pages of the performance app: the home dashboard per role, and the health check."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from performance import access, selectors
from performance.models import Indicator
from performance.periods import Period
from performance.roles import Role
from performance.views import indicators as indicator_pages

# A dashboard lists at most this many indicators per table; the indicator list has the rest.
DASHBOARD_ROWS = 10


@dataclass(frozen=True, slots=True)
class Summary:
    """A group of indicators on a dashboard: counts by status and direction, a chart, rows."""

    key: str
    title: str
    period: Period
    rows: list[indicator_pages.Row]
    levels: list[tuple[str, indicator_pages.Tag, int]]
    directions: list[tuple[str, indicator_pages.Tag, int]]
    chart: str
    list_query: str  # extra filters for "see all" links to the indicator list

    @property
    def reporting(self) -> int:
        return sum(1 for row in self.rows if row.reports)

    @property
    def attention(self) -> list[indicator_pages.Row]:
        return [row for row in self.rows if row.reports and row.attention]

    @property
    def attention_shown(self) -> list[indicator_pages.Row]:
        return self.attention[:DASHBOARD_ROWS]

    @property
    def shown(self) -> list[indicator_pages.Row]:
        return self.rows[:DASHBOARD_ROWS]


def _summary(
    key: str,
    title: str,
    indicators: QuerySet[Indicator],
    period: Period,
    today: dt.date,
    list_query: str = "",
) -> Summary:
    """Five queries whatever the number of indicators: the indicators, then their statuses."""
    rows = indicator_pages.rows_for(
        list(indicators.filter(active=True).select_related("team").order_by("code")),
        period,
        today=today,
    )
    return Summary(
        key=key,
        title=title,
        period=period,
        rows=rows,
        levels=indicator_pages.level_counts(rows),
        directions=indicator_pages.direction_counts(rows),
        chart=indicator_pages.rag_chart(
            rows, chart_id=f"rag-{key}", title=f"{title}: indicators by status, {period}"
        ),
        list_query=list_query,
    )


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of each role the person holds, widest first (SPEC §1).

    Performance officer: every indicator's status and direction for the latest reporting
    period, those Red or deteriorating, and the open rounds. Head of Service: their teams'
    indicators. Data manager and enterer: the indicators assigned to them. Member: the
    corporate KPIs. Queries are fixed whatever the number of indicators.
    """
    user = request.user
    roles = access.roles_of(user)
    today = timezone.localdate()
    period = selectors.latest_reporting_period(today=today)
    readable = indicator_pages.readable_indicators(user)
    summaries = []
    if Role.PERFORMANCE_OFFICER in roles:
        summaries.append(_summary("all", "All indicators", readable, period, today))
    if Role.SERVICE_MANAGER in roles:
        summaries.append(_summary("teams", "Your teams' indicators", readable, period, today))
    if Role.DATA_MANAGER in roles:
        summaries.append(
            _summary(
                "managed", "Indicators you manage", readable.filter(managers=user), period, today
            )
        )
    if Role.DATA_ENTERER in roles:
        summaries.append(
            _summary(
                "entered", "Indicators you enter", readable.filter(enterers=user), period, today
            )
        )
    if Role.MEMBER in roles:
        summaries.append(
            _summary(
                "kpis",
                "Corporate KPIs",
                readable.filter(kind=Indicator.Kind.KPI),
                period,
                today,
                list_query=f"kind={Indicator.Kind.KPI}",
            )
        )
    context = {
        "role": access.primary_role(user),
        "period": period,
        "summaries": summaries,
        "teams": selectors.teams_for_dashboard(user=user),
        "rounds": selectors.open_rounds(today=today),
        "plan": selectors.current_plan(),
    }
    return render(request, "performance/home.html", context)


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down" to a load balancer
        return False, type(error).__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            client.ping()
        except Exception as error:
            return False, type(error).__name__
        return True, "ok"
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    if folder.is_dir() and os.access(folder, os.W_OK):
        return True, "ok"
    return False, "queue folder not writable"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker health as JSON: 200 when both answer, 503 when either does not."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "broker_kind": "redis" if settings.REDIS_URL else "filesystem",
    }
    return JsonResponse(body, status=200 if healthy else 503)

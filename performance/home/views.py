"""Pages of the performance app: the home dashboard per role, and the health check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from performance.collection import due
from performance.common import access, identity, notifications
from performance.common import cache as generations
from performance.core import periods
from performance.core.periods import Period
from performance.core.roles import Role
from performance.home import forecasts as home_forecasts
from performance.home import selectors as home_selectors
from performance.home import tasks
from performance.indicators import forms as indicator_forms
from performance.indicators import presentation, selectors
from performance.models import Indicator
from performance.plans import selectors as plan_selectors

# A dashboard lists at most this many indicators or teams per table; the indicator list has the rest.
DASHBOARD_ROWS = 10
# The statuses counted in the per-directorate and per-team tables, in this order.
GROUP_STATUSES = ("green", "amber", "red", "no_data")


@dataclass(frozen=True, slots=True)
class Summary:
    """A group of indicators on a dashboard: counts by status and direction, a chart, and the
    few rows worth reading first (formatted; the indicator list has them all)."""

    key: str
    title: str
    period: Period
    total: int
    reporting: int
    levels: list[tuple[str, presentation.Tag, int]]
    directions: list[tuple[str, presentation.Tag, int]]
    chart: str
    attention_count: int
    attention_shown: list[presentation.Row]
    shown: list[presentation.Row]
    list_query: str  # extra filters for "see all" links to the indicator list


@dataclass(frozen=True, slots=True)
class GroupLine:
    """A directorate's or a team's indicators, counted by status, for one line of a table."""

    name: str
    team_id: int | None
    directorate: str
    head: str
    people: int | None
    teams: int
    reporting: int
    counts: list[tuple[str, presentation.Tag, int]]  # GROUP_STATUSES in order

    def count(self, code: str) -> int:
        return next(count for each, _, count in self.counts if each == code)

    @property
    def red(self) -> int:
        return self.count("red")

    @property
    def amber(self) -> int:
        return self.count("amber")


def _summary(
    key: str,
    title: str,
    items: list[selectors.IndicatorStatus],
    period: Period,
    list_query: str = "",
) -> Summary:
    """No query: `items` come from the shared statuses; only the rows shown are formatted."""
    levels = presentation.level_counts(items)
    attention = [item for item in items if item.reports and item.attention]
    return Summary(
        key=key,
        title=title,
        period=period,
        total=len(items),
        reporting=sum(1 for item in items if item.reports),
        levels=levels,
        directions=presentation.direction_counts(items),
        chart=presentation.rag_chart(
            levels, chart_id=f"rag-{key}", title=f"{title}: indicators by status, {period}"
        ),
        attention_count=len(attention),
        attention_shown=presentation.rows_for(attention[:DASHBOARD_ROWS]),
        shown=presentation.rows_for(items[:DASHBOARD_ROWS]),
        list_query=list_query,
    )


@dataclass(frozen=True, slots=True)
class CorporateHealth:
    """The corporate health roll-up (issue 20): how the council itself is run."""

    period: Period
    total: int
    reporting: int
    levels: list[tuple[str, presentation.Tag, int]]
    rows: list[presentation.Row]


def _corporate_health_ids() -> frozenset[int]:
    """Active corporate health indicators, cached under "indicators" (which watches Indicator):
    one query for the generation's token, the ids from memory after the first read."""
    return generations.cached(
        "corporate-health-ids",
        ["indicators"],
        lambda: frozenset(
            Indicator.objects.filter(corporate_health=True, active=True).values_list(
                "id", flat=True
            )
        ),
    )


def _corporate_health(
    readable: list[selectors.IndicatorStatus], period: Period
) -> CorporateHealth | None:
    """Each corporate health indicator the person reads with its status and direction for
    `period`, and their counts by status; None when they read none."""
    ids = _corporate_health_ids()
    items = [item for item in readable if item.id in ids]
    if not items:
        return None
    return CorporateHealth(
        period=period,
        total=len(items),
        reporting=sum(1 for item in items if item.reports),
        levels=presentation.level_counts(items),
        rows=presentation.rows_for(items),
    )


def _counted(items: list[selectors.IndicatorStatus]) -> tuple[int, list]:
    counts = dict.fromkeys(GROUP_STATUSES, 0)
    reporting = 0
    for item in items:
        if item.reports:
            reporting += 1
            if item.status_code in counts:
                counts[item.status_code] += 1
    tags = presentation.STATUS_TAGS
    return reporting, [(code, tags[code], counts[code]) for code in GROUP_STATUSES]


def _by(items: list[selectors.IndicatorStatus], attribute: str) -> dict:
    grouped: dict = defaultdict(list)
    for item in items:
        grouped[getattr(item, attribute)].append(item)
    return grouped


@dataclass(frozen=True, slots=True)
class DirectorateBlock:
    """A directorate's totals and a line for each of its teams."""

    line: GroupLine
    teams: list[GroupLine]
    rows_html: str = ""  # a table row per team (`_team_rows_html`), when rendered for everyone


def _directorate_blocks(items: list[selectors.IndicatorStatus]) -> list[DirectorateBlock]:
    """Every directorate with its teams, counted (for those who read every team), then the
    unassigned indicators. One query: the teams (those without indicators are listed too)."""
    by_team = _by(items, "team_id")
    blocks = []
    for _, name, teams in home_selectors.teams_by_directorate():
        lines, everything = [], []
        for team_id, team_name in teams:
            team_items = by_team.get(team_id, [])
            everything += team_items
            reporting, counts = _counted(team_items)
            lines.append(GroupLine(team_name, team_id, name, "", None, 1, reporting, counts))
        reporting, counts = _counted(everything)
        total = GroupLine(name, None, name, "", None, len(teams), reporting, counts)
        blocks.append(DirectorateBlock(total, lines))
    if by_team.get(None):
        reporting, counts = _counted(by_team[None])
        blocks.append(
            DirectorateBlock(GroupLine("Unassigned", None, "", "", None, 0, reporting, counts), [])
        )
    return blocks


def _teams_needing_attention(items: list[selectors.IndicatorStatus]) -> list[GroupLine]:
    """The teams with the most Red indicators (then Amber), at most DASHBOARD_ROWS."""
    lines = []
    for team_id, team_items in _by(items, "team_id").items():
        if team_id is None:
            continue
        reporting, counts = _counted(team_items)
        first = team_items[0]
        line = GroupLine(
            first.team_name, team_id, first.directorate_name, "", None, 1, reporting, counts
        )
        if line.red:
            lines.append(line)
    lines.sort(key=lambda line: (-line.red, -line.amber, line.name))
    return lines[:DASHBOARD_ROWS]


def _team_lines(teams, items: list[selectors.IndicatorStatus]) -> list[GroupLine]:
    """One line per team of `teams` (the person's own: a handful), with their indicators."""
    grouped = _by(items, "team_id")
    lines = []
    for team in teams:
        reporting, counts = _counted(grouped.get(team.id, []))
        head = team.head_of_service.get_full_name() if team.head_of_service else ""
        lines.append(
            GroupLine(
                team.name,
                team.id,
                team.directorate.name if team.directorate else "",
                head,
                team.people,
                1,
                reporting,
                counts,
            )
        )
    return lines


def _group_tags() -> list[presentation.Tag]:
    return [presentation.STATUS_TAGS[code] for code in GROUP_STATUSES]


def _teams_everyone(
    readable: list[selectors.IndicatorStatus], period: Period, today: dt.date
) -> tuple[int, str]:
    """(number of teams, the directorate and team tables) for those who read every team.

    `readable` is then every active indicator, so the tables are the same for every such
    reader: rendered once per change of the "indicators" generation (teams and directorates
    are watched by it too) under the key of the statuses they count, and shared. Hundreds of
    teams cost tens of milliseconds to render; reading them back costs one query.
    """

    def render_tables() -> tuple[int, str]:
        list_url = reverse("performance:indicator-list")
        period_query = quote(str(period))
        directorates = [
            dataclasses.replace(
                block, rows_html=_team_rows_html(block.teams, list_url, period_query)
            )
            for block in _directorate_blocks(readable)
        ]
        context = {
            "period": period,
            "directorates": directorates,
            "attention_teams": _teams_needing_attention(readable),
            "group_tags": _group_tags(),
        }
        html = render_to_string("performance/home.html#teams-everyone", context)
        return sum(block.line.teams for block in directorates), html

    key = f"dashboard-teams|{selectors.period_statuses_key(period, today=today)}"
    return generations.cached(key, ["indicators"], render_tables)


def _team_rows_html(lines: list[GroupLine], list_url: str, period_query: str) -> SafeString:
    """The rows of a directorate's teams table, written here rather than by a template loop:
    hundreds of teams, each a line of cells, cost tens of milliseconds through the template
    engine on the first view after a change. Every value is escaped."""
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    rows = []
    for line in lines:
        counts = "".join(f"{cell}{count}</td>" for _, _, count in line.counts)
        rows.append(
            '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
            f'<a class="govuk-link" href="{escape(list_url)}?team={escape(line.team_id)}'
            f'&amp;period={escape(period_query)}">{escape(line.name)}</a></th>'
            f"{cell}{line.reporting}</td>{counts}</tr>"
        )
    return mark_safe("\n".join(rows))


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of each role the person holds, widest first (SPEC §1).

    Performance officer: every indicator's status and direction for the latest reporting
    period, those Red or deteriorating, and the open rounds. Head of Service: their teams'
    indicators. Data manager and enterer: the indicators assigned to them. Member: the
    corporate KPIs. Then counts by directorate and the teams most in the Red (those who see
    every team), or a line per team (everyone else). The statuses are computed once for all
    readers (`selectors.period_statuses`, cached); queries are fixed whatever the number of
    indicators, and the page shows summaries and a few rows, never every indicator.
    """
    user = request.user
    roles = access.roles_of(user)
    today = timezone.localdate()
    period, choices, errors = _chosen_period(request, today)
    readable = presentation.readable_statuses(user, period, today=today)
    summaries = []
    if Role.PERFORMANCE_OFFICER in roles:
        summaries.append(_summary("all", "All indicators", readable, period))
    if Role.SERVICE_MANAGER in roles:
        summaries.append(_summary("teams", "Your teams' indicators", readable, period))
    if Role.DATA_MANAGER in roles:
        managed = home_selectors.assigned_indicator_ids(user=user, as_manager=True)
        mine = [item for item in readable if item.id in managed]
        summaries.append(_summary("managed", "Indicators you manage", mine, period))
    if Role.DATA_ENTERER in roles:
        entered = home_selectors.assigned_indicator_ids(user=user, as_manager=False)
        mine = [item for item in readable if item.id in entered]
        summaries.append(_summary("entered", "Indicators you enter", mine, period))
    if Role.MEMBER in roles:
        kpis = [item for item in readable if item.kind == Indicator.Kind.KPI]
        summaries.append(
            _summary(
                "kpis", "Corporate KPIs", kpis, period, list_query=f"kind={Indicator.Kind.KPI}"
            )
        )
    everyone = access.sees_every_team(user)
    if everyone:
        team_count, teams_html = _teams_everyone(readable, period, today)
        context = {"teams_html": teams_html}
    else:
        team_lines = _team_lines(home_selectors.teams_for_dashboard(user=user), readable)
        team_count = len(team_lines)
        context = {"team_lines": team_lines, "group_tags": _group_tags()}
    work = tasks.home_tasks(user, today=today)
    plan = plan_selectors.current_plan()
    context |= {
        "role": access.primary_role(user),
        "roles_held": [role for role in tasks.ROLE_WORDS if role in roles],
        "work": work,
        "member": Role.MEMBER in roles,
        "priorities": tasks.priorities(plan, readable),
        "reports": tasks.published_reports() if Role.MEMBER in roles else [],
        "period": period,
        "period_choices": choices,
        "period_is_latest": period == selectors.latest_reporting_period(today=today),
        "errors": errors,
        "summaries": summaries,
        # Indicators whose year-end forecast misses the annual target, from Q2 (issue 20).
        "forecast_to_miss": home_forecasts.forecast_to_miss(readable, period),
        "corporate_health": _corporate_health(readable, period),
        "everyone": everyone,
        "team_count": team_count,
        # The same count as My returns and the Data collection pages (`due.days_left`).
        "rounds": [{"round": r, "left": due.days_left_text(r)} for r in work.rounds.open],
        "plan": plan,
        # The header's count (base.html): read here, where people look for what to do.
        "unread_notifications": notifications.unread_count(user),
    }
    return render(request, "performance/home.html", context)


def _chosen_period(
    request: HttpRequest, today: dt.date
) -> tuple[Period, list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """The period the figures are shown for (`?period=`): the latest quarter requested unless
    the person chose a recent quarter, month or financial year from the indicator list's
    choices; anything else is named in an error and the latest quarter shown."""
    choices = indicator_forms.period_choices(today)
    latest = selectors.latest_reporting_period(today=today)
    asked = (request.GET.get("period") or "").strip()
    if not asked:
        return latest, choices, []
    listed = {value for _, group in choices for value, _ in group}
    if asked in listed:
        return periods.parse(asked), choices, []
    return latest, choices, [("period", f"Choose a period from the list: {asked!r} is not one")]


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
        import redis  # noqa: PLC0415 (only when a Redis broker is configured)

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
    """Database and broker health as JSON: 200 when both answer, 503 when either does not.

    The identity provider's discovery document is reported too ("ok", "unavailable: …" or
    "not configured"), without changing the status: break-glass local sign-in still works."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "broker_kind": "redis" if settings.REDIS_URL else "filesystem",
        # Reported, never a 503: the break-glass local sign-in works without the provider.
        "identity_provider": identity.status(),
    }
    return JsonResponse(body, status=200 if healthy else 503)

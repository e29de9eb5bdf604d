"""seed_demo's indicators, targets, values and plans: a believable, deterministic council."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from performance import demo
from performance.core import calculations, periods
from performance.core.calculations import Level
from performance.core.periods import Frequency, Period
from performance.demo import catalogue as demo_indicators
from performance.indicators import selectors
from performance.models import (
    ActionPlan,
    Activity,
    ActivityProgress,
    AuditEvent,
    Indicator,
    IndividualObjective,
    LongTermTarget,
    MeasureOfSuccess,
    Milestone,
    Service,
    ServicePlan,
    SpcChangePoint,
    StrategicAction,
    StrategicActionUpdate,
    Target,
    Team,
    Value,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# The 2026/27 Q1 round (and the June 2026 monthly round) is open on this day.
JULY_5 = dt.datetime(2026, 7, 5, 9, tzinfo=LONDON)


@pytest.fixture
def only_indicators(monkeypatch):
    """Seed the organisation and this step only, so later steps cannot hide what it does."""
    monkeypatch.setattr(demo, "DEMO_STEPS", ["performance.demo", "performance.demo.indicators"])


def _seed(*, when: dt.datetime = JULY_5, scale: str = "small", seed: int = 2024) -> str:
    out = io.StringIO()
    with time_machine.travel(when, tick=False):
        call_command("seed_demo", "--scale", scale, "--seed", str(seed), stdout=out)
    return out.getvalue()


@pytest.fixture
def council(only_indicators):
    """The small demo council seeded on 5 July 2026; the test runs on that day too."""
    _seed()
    with time_machine.travel(JULY_5, tick=False):
        yield


def test_small_scale_covers_every_perspective_kind_frequency_aggregation_and_polarity(council):
    indicators = list(Indicator.objects.all())
    assert 55 <= len(indicators) <= 65
    assert {i.perspective for i in indicators} == set(Indicator.Perspective.values)
    assert {i.aspect for i in indicators} == set(Indicator.Aspect.values)
    assert {i.kind for i in indicators} == set(Indicator.Kind.values)
    assert {i.frequency for i in indicators} == set(Indicator.FrequencyChoice.values)
    assert {i.aggregation for i in indicators} == set(Indicator.AggregationChoice.values)
    assert {i.polarity for i in indicators} == set(Indicator.PolarityChoice.values)
    assert {"percent", "number", "currency", "days"} <= {i.unit for i in indicators}
    assert any(i.third_party_partner for i in indicators)
    assert {"input", "output"} <= {i.vfm_role for i in indicators}
    # Data-only indicators have no targets; the others have a baseline to measure from.
    data_only = [i for i in indicators if i.polarity == "none"]
    assert not Target.objects.filter(indicator__in=data_only).exists()
    assert all(i.baseline is not None and i.baseline_period == "2020/21" for i in indicators)


def test_every_team_has_a_scored_customer_financial_and_process_indicator(council):
    targeted = set(Target.objects.values_list("indicator_id", flat=True).distinct())
    for team in Team.objects.all():
        for perspective in ("customer", "financial", "process"):
            scored = [
                i
                for i in team.indicators.filter(perspective=perspective)
                if i.polarity != "none" and i.frequency != "annual" and i.id in targeted
            ]
            assert scored, f"{team} has no {perspective} indicator Reach the Summit can score"


def test_titles_and_targets_come_from_harts_published_kpis(council):
    hart = demo_indicators._hart()
    calls = Indicator.objects.get(code="CUS 001")
    assert calls.title == "Telephone calls answered within 15 seconds"
    # Hart's target of 80% for CS02a, untightened in the current year.
    assert Target.objects.get(indicator=calls, period="2026-04").value == Decimal(
        hart["CS02a"][-1]["target"]
    )
    planning = Indicator.objects.get(code="DEV 001")
    assert Target.objects.get(indicator=planning, period="2026/27 Q1").value == Decimal(70)


def test_targets_cover_every_period_of_every_financial_year(council):
    years = [Period.for_year(fy) for fy in range(2021, 2027)]
    for indicator in Indicator.objects.exclude(polarity="none"):
        expected = {str(p) for year in years for p in year.sub_periods(indicator.frequency)}
        got = set(indicator.targets.values_list("period", flat=True))
        assert got == expected, indicator.code
    # Cumulative (year-to-date) targets rise through the year to the annual figure.
    council_tax = Indicator.objects.get(code="REV 001")
    profile = list(
        council_tax.targets.filter(period_start__range=(dt.date(2025, 4, 1), dt.date(2026, 3, 1)))
        .order_by("period_start")
        .values_list("value", flat=True)
    )
    assert profile == sorted(profile)
    assert council_tax.targets.get(period="2026-03").value > 95
    assert (
        LongTermTarget.objects.filter(by_year="2029/30").count()
        == Indicator.objects.filter(kind="KPI").exclude(polarity="none").count()
    )


def _closed(kind: Frequency, today: dt.date) -> list[str]:
    first = Period.for_year(2021).sub_periods(kind)[0]
    result = []
    while periods.window_close(first.request_date(), settings.COLLECTION_WINDOW_DAYS) < today:
        result.append(str(first))
        first = first.next()
    return result


@pytest.mark.parametrize(
    ("when", "last_quarter", "open_quarter", "last_month", "open_month"),
    [
        (JULY_5, "2025/26 Q4", "2026/27 Q1", "2026-05", "2026-06"),
        (
            dt.datetime(2027, 1, 20, 12, tzinfo=LONDON),
            "2026/27 Q3",
            "2026/27 Q4",
            "2026-12",
            "2027-01",
        ),
    ],
)
def test_values_run_from_2021_to_the_last_closed_period_and_leave_the_open_round_empty(
    only_indicators, when, last_quarter, open_quarter, last_month, open_month
):
    _seed(when=when)
    today = when.date()
    closed = {kind: _closed(kind, today) for kind in Frequency}
    assert closed[Frequency.QUARTERLY][0] == "2021/22 Q1"
    assert closed[Frequency.QUARTERLY][-1] == last_quarter
    assert closed[Frequency.MONTHLY][-1] == last_month
    held = defaultdict(list)
    for indicator_id, period in Value.objects.order_by("period_start").values_list(
        "indicator_id", "period"
    ):
        held[indicator_id].append(period)
    for indicator in Indicator.objects.all():
        assert held[indicator.id] == closed[Frequency(indicator.frequency)], indicator.code
    assert not Value.objects.filter(period__in=[open_quarter, open_month]).exists()
    assert not Value.objects.filter(period_start__lt=dt.date(2021, 4, 1)).exists()


def test_the_full_demo_leaves_the_open_round_to_the_collection_cycle():
    _seed()
    activated = Value.objects.filter(status=Value.Status.ACTIVATED)
    assert activated.filter(period="2025/26 Q4").exists()
    assert not activated.filter(period__in=["2026/27 Q1", "2026-06"]).exists()


def test_a_mix_of_statuses_directions_and_special_causes(council):
    indicators = list(Indicator.objects.all())
    quarter = periods.parse("2025/26 Q4")
    statuses = selectors.indicator_statuses(indicators, quarter, with_spc=True)
    assert {"green", "amber", "red"} <= {s.status for s in statuses.values()}
    counts = Counter(s.status for s in statuses.values())
    assert counts["green"] > counts["red"]
    assert counts["none"] == sum(i.polarity == "none" for i in indicators)
    directions = {s.dot_previous.value for s in statuses.values()}
    assert {"improving", "deteriorating"} <= directions
    assert {"improving", "deteriorating"} <= {s.dot_year.value for s in statuses.values()}
    variations = {s.variation.value for s in statuses.values()}
    assert {"common", "improving", "concerning"} <= variations
    # Over the whole history some values are recorded as No data.
    assert Value.objects.filter(status=Value.Status.NO_DATA).exists()


def test_amber_and_red_values_carry_a_performance_comment(council):
    targets = {
        (indicator_id, period): value
        for indicator_id, period, value in Target.objects.values_list(
            "indicator_id", "period", "value"
        )
    }
    facts = {i.id: i for i in Indicator.objects.all()}
    levels = Counter()
    for value in Value.objects.filter(status=Value.Status.ACTIVATED):
        indicator = facts[value.indicator_id]
        target = targets.get((value.indicator_id, value.period))
        if target is None:
            continue
        level = calculations.level_of(
            calculations.Reading(
                actual=value.value,
                target=target,
                polarity=indicator.polarity,
                decimals=indicator.decimals,
                tolerance=indicator.effective_tolerance,
            )
        )
        levels[level] += 1
        if level in (Level.FIRSTBASE, Level.BASECAMP):
            assert value.comment, f"{indicator.code} {value.period} is {level} with no comment"
    assert levels[Level.SUMMIT]
    assert levels[Level.FIRSTBASE]
    assert levels[Level.BASECAMP]


def test_values_are_entered_and_activated_by_different_people_inside_the_window(council):
    days = settings.COLLECTION_WINDOW_DAYS
    enterers, managers = defaultdict(set), defaultdict(set)
    for indicator_id, user_id in Indicator.enterers.through.objects.values_list(
        "indicator_id", "user_id"
    ):
        enterers[indicator_id].add(user_id)
    for indicator_id, user_id in Indicator.managers.through.objects.values_list(
        "indicator_id", "user_id"
    ):
        managers[indicator_id].add(user_id)
    rows = Value.objects.filter(status=Value.Status.ACTIVATED)
    assert rows.exists()
    for value in rows:
        period = periods.parse(value.period)
        assert value.period_start == period.start
        assert value.entered_by_id
        assert value.activated_by_id
        assert value.entered_by_id != value.activated_by_id
        opens = period.request_date()
        closes = periods.window_close(opens, days)
        assert opens <= value.entered_at.astimezone(LONDON).date()
        assert value.entered_at <= value.submitted_at <= value.activated_at
        assert value.activated_at.astimezone(LONDON).date() <= closes
        assert value.entered_by_id in enterers[value.indicator_id]
        assert value.activated_by_id in managers[value.indicator_id]


def test_ratio_values_are_their_numerator_over_their_denominator(council):
    ratios = Value.objects.filter(
        indicator__aggregation="ratio", status=Value.Status.ACTIVATED
    ).select_related("indicator")
    assert ratios.exists()
    for value in ratios:
        assert value.denominator > 0
        assert 0 <= value.numerator <= value.denominator
        places = Decimal(1).scaleb(-value.indicator.decimals)
        expected = (value.numerator / value.denominator * 100).quantize(places, ROUND_HALF_UP)
        assert abs(value.value - expected) <= places, value


def test_percentages_stay_between_0_and_100(council):
    values = Value.objects.filter(indicator__unit="percent", status=Value.Status.ACTIVATED)
    assert values.exists()
    assert not values.filter(value__lt=0).exists()
    assert not values.filter(value__gt=100).exists()


def test_demo_logins_enter_manage_and_head_the_first_teams(council):
    first = Team.objects.order_by("id").first()
    indicators = list(first.indicators.all())
    assert indicators
    for indicator in indicators:
        assert indicator.enterers.filter(username="enterer").exists()
        assert indicator.managers.filter(username="manager").exists()
    headed = Service.objects.filter(head_of_service__username="head")
    assert headed.count() == 3
    assert set(headed.values_list("teams", flat=True)) == set(
        Team.objects.order_by("id").values_list("id", flat=True)[:3]
    )
    assert not Service.objects.filter(head_of_service__isnull=True).exists()
    assert not Team.objects.filter(service__isnull=True).exists()
    # Every team's indicators have an enterer and a manager from the team.
    for team in Team.objects.all():
        members = set(team.memberships.values_list("user_id", flat=True))
        for indicator in team.indicators.all():
            assert set(indicator.enterers.values_list("id", flat=True)) <= members
            assert set(indicator.managers.values_list("id", flat=True)) <= members


def test_the_golden_thread_runs_from_outcomes_to_plans_and_people(council):
    assert not Indicator.objects.filter(outcomes__isnull=True).exists()
    assert MeasureOfSuccess.objects.filter(indicator__isnull=False).exists()
    assert MeasureOfSuccess.objects.filter(indicator__isnull=True).exists()
    assert StrategicAction.objects.count() == 20
    # Bi-annual updates for every half-year whose round closed by 5 July 2026.
    assert set(StrategicActionUpdate.objects.values_list("period", flat=True)) == {
        "2024/25 Q2",
        "2024/25 Q4",
        "2025/26 Q2",
        "2025/26 Q4",
    }
    for service in Service.objects.all():
        assert set(service.plans.values_list("year", flat=True)) == {"2025/26", "2026/27"}
    for plan in ServicePlan.objects.all():
        assert plan.objectives.count() == 3
    assert not Activity.objects.filter(milestones__isnull=True).exists()
    assert not Activity.objects.filter(owner__isnull=True).exists()
    today = JULY_5.date()
    late = [m for m in Milestone.objects.all() if m.met_on and m.met_on > m.due_on]
    missed = Milestone.objects.filter(due_on__lt=today, met_on__isnull=True)
    assert late
    assert missed.exists()
    assert not Milestone.objects.filter(met_on__gt=today).exists()
    # Monthly progress up to May 2026 (June's round is still open).
    months = set(ActivityProgress.objects.values_list("month", flat=True))
    assert {"2025-04", "2026-03", "2026-04", "2026-05"} <= months
    assert "2026-06" not in months
    assert {"green", "amber", "red"} <= set(ActivityProgress.objects.values_list("rag", flat=True))
    assert IndividualObjective.objects.filter(year="2026/27").exists()


def test_red_indicators_have_open_action_plans_and_one_is_revised(council):
    plans = list(ActionPlan.objects.select_related("indicator"))
    assert len(plans) == 3
    assert len({plan.team_id for plan in plans}) == 3
    for plan in plans:
        assert plan.status == ActionPlan.Status.OPEN
        assert plan.indicator is not None
        assert plan.indicator.team_id == plan.team_id
        assert plan.versions.exists()
        assert all(version.actions.exists() for version in plan.versions.all())
        assert plan.opened_on <= JULY_5.date()
    revised = [plan for plan in plans if plan.versions.count() == 2]
    assert len(revised) == 1
    # Each indicator was Red in its latest period with a value.
    for plan in plans:
        latest = plan.indicator.values.filter(status=Value.Status.ACTIVATED).latest("period_start")
        period = periods.parse(latest.period)
        status = selectors.indicator_statuses([plan.indicator], period)[plan.indicator.id]
        assert status.status == "red", plan.indicator.code
        assert str(period) in plan.reason


def test_one_indicator_has_an_spc_change_point_after_a_shift(council):
    change = SpcChangePoint.objects.select_related("indicator").get()
    indicator = change.indicator
    values = list(
        indicator.values.filter(status=Value.Status.ACTIVATED)
        .order_by("period_start")
        .values_list("period", "value")
    )
    periods_held = [period for period, _ in values]
    after = [v for period, v in values if period >= change.period]
    before = [v for period, v in values if period < change.period]
    assert len(after) >= 12
    assert change.period in periods_held
    mean_after, mean_before = sum(after) / len(after), sum(before) / len(before)
    # The shift improves performance: lower is better, so the mean falls.
    assert indicator.polarity == "lower"
    assert mean_after < mean_before


def test_seeding_is_not_an_audited_change(council):
    assert not AuditEvent.objects.exists()


def _snapshot():
    values = list(
        Value.objects.order_by("indicator__code", "period_start").values_list(
            "indicator__code",
            "period",
            "value",
            "numerator",
            "denominator",
            "status",
            "comment",
            "entered_by__username",
            "activated_by__username",
            "entered_at",
            "activated_at",
        )
    )
    targets = list(
        Target.objects.order_by("indicator__code", "period_start").values_list(
            "indicator__code", "period", "value"
        )
    )
    milestones = list(
        Milestone.objects.order_by(
            "activity__objective__plan__service__name",
            "activity__objective__plan__year",
            "activity__title",
            "due_on",
        ).values_list("activity__title", "title", "due_on", "met_on")
    )
    return values, targets, milestones


def _seeded_and_rolled_back(seed: int):
    with transaction.atomic():
        _seed(seed=seed)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_the_same_seed_gives_the_same_values_and_another_seed_does_not(only_indicators):
    first = _seeded_and_rolled_back(7)
    assert not Indicator.objects.exists()
    assert all(first)
    assert _seeded_and_rolled_back(7) == first
    other = _seeded_and_rolled_back(8)
    assert other[0] != first[0]


def test_catalogue_rows_are_complete_and_valid():
    templates = demo_indicators.load_catalogue()
    assert len({t.code for t in templates}) == len(templates)
    for template in templates:
        assert all([template.title, template.definition, template.source]), template.code
        assert template.kind in Indicator.Kind.values
        assert template.unit in Indicator.Unit.values
        assert (template.target is None) == (template.polarity == "none"), template.code
    by_team = defaultdict(list)
    for template in templates:
        by_team[template.team].append(template)
    assert set(by_team) == {name for name, _ in demo.TEAM_NAMES}
    for team, rows in by_team.items():
        assert len(rows) == 10, team
        # The first three are the team's Reach the Summit trio.
        assert {t.perspective for t in rows[:3]} == {"customer", "financial", "process"}, team

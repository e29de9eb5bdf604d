"""The value workflow of SPEC §5: entry rules, draft → submitted → activated/returned, corrections,
No data, per-indicator permissions, and optimistic locking that never loses an update."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from performance.collection import rounds as services
from performance.collection import services as collection
from performance.core.roles import Role
from performance.models import AuditEvent, CollectionRound, Indicator, Target, Value
from tests.factories import TeamFactory, UserFactory

ROUND_DAY = dt.date(2025, 7, 1)


@dataclass
class World:
    """A small council for collection tests: two teams, their people and five indicators."""

    users: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    quarterly: CollectionRound | None = None
    monthly: CollectionRound | None = None


def make_indicator(code, team, *, enterers=(), managers=(), target=None, period="2025/26 Q1", **kw):
    defaults = {
        "title": f"Indicator {code}",
        "kind": "KPI",
        "perspective": "customer",
        "aspect": "delivery",
        "polarity": "higher",
        "unit": "percent",
        "decimals": 1,
        "frequency": "quarterly",
        "aggregation": "mean",
        "definition": f"How {code} is counted.",
    }
    defaults.update(kw)
    indicator = Indicator.objects.create(code=code, team=team, **defaults)
    indicator.enterers.set(enterers)
    indicator.managers.set(managers)
    if target is not None:
        from performance.core import periods

        Target.objects.create(
            indicator=indicator,
            period=period,
            period_start=periods.parse(period).start,
            value=Decimal(str(target)),
        )
    return indicator


def build_world(*, open_rounds: bool = True) -> World:
    world = World()
    u = world.users
    u["head_w"] = UserFactory(username="head_w", roles=[Role.SERVICE_MANAGER])
    u["head_h"] = UserFactory(username="head_h", roles=[Role.SERVICE_MANAGER])
    waste = TeamFactory(name="Waste", head_of_service=u["head_w"])
    housing = TeamFactory(name="Housing", head_of_service=u["head_h"])
    world.teams = {"waste": waste, "housing": housing}
    u["enterer_a"] = UserFactory(username="enterer_a", roles=[Role.DATA_ENTERER], teams=[waste])
    u["enterer_b"] = UserFactory(
        username="enterer_b", roles=[Role.DATA_ENTERER], teams=[housing, waste]
    )
    u["manager_a"] = UserFactory(username="manager_a", roles=[Role.DATA_MANAGER], teams=[waste])
    u["manager_a2"] = UserFactory(username="manager_a2", roles=[Role.DATA_MANAGER], teams=[waste])
    u["manager_b"] = UserFactory(username="manager_b", roles=[Role.DATA_MANAGER], teams=[housing])
    u["officer"] = UserFactory(username="officer", roles=[Role.PERFORMANCE_OFFICER])
    u["member"] = UserFactory(username="member", roles=[Role.MEMBER])
    i = world.indicators
    i["WAS 001"] = make_indicator(
        "WAS 001",
        waste,
        enterers=[u["enterer_a"]],
        managers=[u["manager_a"], u["manager_a2"]],
        target=95,
    )
    i["WAS 002"] = make_indicator(
        "WAS 002",
        waste,
        enterers=[u["enterer_a"], u["enterer_b"]],
        managers=[u["manager_a"]],
        target=10,
        polarity="lower",
        unit="days",
    )
    i["GEN 001"] = make_indicator("GEN 001", waste, enterers=[u["enterer_a"]], target=50)
    i["HOU 001"] = make_indicator(
        "HOU 001",
        housing,
        enterers=[u["enterer_b"]],
        managers=[u["manager_b"]],
        target=100,
        unit="number",
        decimals=0,
    )
    i["HOU 002"] = make_indicator(
        "HOU 002",
        housing,
        enterers=[u["enterer_b"]],
        managers=[u["manager_b"]],
        target=80,
        period="2025-06",
        frequency="monthly",
        aggregation="ratio",
    )
    # Not due: inactive, and an annual indicator outside the Q4 round.
    make_indicator("OLD 001", waste, enterers=[u["enterer_a"]], active=False)
    make_indicator("ANN 001", waste, enterers=[u["enterer_a"]], frequency="annual")
    if open_rounds:
        world.quarterly, _ = services.open_round(kind="quarterly", request_date=ROUND_DAY)
        world.monthly, _ = services.open_round(kind="monthly", request_date=ROUND_DAY)
    return world


def enter(world, code, value, *, user="enterer_a", submit=False, comment="", version=None, **raw):
    indicator = world.indicators[code]
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    data = {"value": value, "comment": comment, **raw}
    existing = Value.objects.filter(indicator=indicator).first()
    if version is None:
        version = existing.version if existing else 0
    return collection.save_entry(
        user=world.users[user],
        round_=round_,
        indicator=indicator,
        raw=data,
        version=version,
        submit=submit,
    )


pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


# --- due items --------------------------------------------------------------------------------


def test_due_items_follow_the_round_kind_and_the_enterer(world):
    mine = collection.due_items([world.quarterly, world.monthly], enterer=world.users["enterer_b"])
    assert [(i.indicator.code, i.period) for i in mine] == [
        ("HOU 001", "2025/26 Q1"),
        ("WAS 002", "2025/26 Q1"),
        ("HOU 002", "2025-06"),
    ]
    everything = collection.due_items([world.quarterly])
    assert {i.indicator.code for i in everything} == {"WAS 001", "WAS 002", "GEN 001", "HOU 001"}


def _activated(indicator, period_text, value):
    from performance.core import periods

    Value.objects.create(
        indicator=indicator,
        period=period_text,
        period_start=periods.parse(period_text).start,
        value=Decimal(value),
        status=Value.Status.ACTIVATED,
    )


def test_due_items_of_several_rounds_cost_the_queries_of_one(world, django_assert_num_queries):
    # Indicators, values, targets and history: once for all rounds, not once per round.
    with django_assert_num_queries(4):
        one = collection.due_items([world.quarterly])
    with django_assert_num_queries(4):
        both = collection.due_items([world.quarterly, world.monthly])
    with django_assert_num_queries(3):
        collection.due_items([world.quarterly, world.monthly], history=0)
    assert [i.indicator.code for i in both if i.round == world.quarterly] == [
        i.indicator.code for i in one
    ]
    assert {i.indicator.code for i in both if i.round == world.monthly} == {"HOU 002"}


def test_each_rounds_history_is_the_values_before_its_own_period(world):
    quarterly = world.indicators["WAS 001"]
    monthly = world.indicators["HOU 002"]
    for text, value in (("2024/25 Q3", "61"), ("2024/25 Q4", "62"), ("2025/26 Q2", "99")):
        _activated(quarterly, text, value)
    for text, value in (("2025-04", "71"), ("2025-05", "72"), ("2025-07", "99")):
        _activated(monthly, text, value)
    items = {i.indicator.code: i for i in collection.due_items([world.quarterly, world.monthly])}
    # Newest first, nothing from the round's own period or later.
    assert items["WAS 001"].previous == [("2024/25 Q4", Decimal(62)), ("2024/25 Q3", Decimal(61))]
    assert items["HOU 002"].previous == [("2025-05", Decimal(72)), ("2025-04", Decimal(71))]
    short = collection.due_items([world.monthly, world.quarterly], history=1)
    assert {i.indicator.code: i.previous for i in short}["HOU 002"] == [("2025-05", Decimal(72))]


def test_the_april_quarterly_round_also_asks_annual_indicators_for_the_year():
    world = build_world(open_rounds=False)
    round_, _ = services.open_round(kind="quarterly", request_date=dt.date(2026, 4, 1))
    items = collection.due_items([round_], enterer=world.users["enterer_a"])
    assert ("ANN 001", "2025/26") in {(i.indicator.code, i.period) for i in items}


def test_round_countdown_counts_to_the_end_of_the_last_day_in_london(world):
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    state = collection.round_state(
        world.quarterly, now=dt.datetime(2025, 7, 8, 21, 0, tzinfo=london)
    )
    assert state["state"] == "open"
    assert state["countdown"].startswith("2 days left: closes at the end of Thursday 10 July 2025")
    closed = collection.round_state(
        world.quarterly, now=dt.datetime(2025, 7, 11, 0, 0, tzinfo=london)
    )
    assert closed["state"] == "closed"


# --- entry rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "field_name", "message"),
    [
        ("WAS 001", {"value": "abc"}, "value", "must be a number"),
        ("WAS 001", {"value": "100.5"}, "value", "between 0 and 100"),
        ("HOU 001", {"value": "12.5"}, "value", "whole number"),
        ("HOU 001", {"value": "-3"}, "value", "must not be negative"),
        ("WAS 002", {"value": "-1"}, "value", "must not be negative"),
        ("HOU 002", {"numerator": "9", "denominator": "5"}, "numerator", "not be more than"),
        ("HOU 002", {"numerator": "1", "denominator": "0"}, "denominator", "more than 0"),
        ("HOU 002", {"numerator": "1"}, "denominator", "Enter the denominator"),
        ("WAS 001", {"value": ""}, "value", "Enter a value"),
        ("WAS 001", {"value": "1", "comment": "x" * 5001}, "comment", "5000 characters"),
    ],
)
def test_entry_rules_name_the_field(world, code, raw, field_name, message):
    _, errors = collection.clean_entry(world.indicators[code], raw, submit=True)
    assert field_name in errors
    assert message in errors[field_name]


def test_ratio_value_is_worked_out_from_numerator_and_denominator(world):
    entry, errors = collection.clean_entry(
        world.indicators["HOU 002"], {"numerator": "45", "denominator": "60"}, submit=True
    )
    assert errors == {}
    assert entry.value == Decimal("75.000000")


def test_thousands_commas_and_percent_signs_are_read(world):
    entry, errors = collection.clean_entry(
        world.indicators["WAS 001"], {"value": " 94.5% "}, submit=True
    )
    assert (entry.value, errors) == (Decimal("94.5"), {})


# --- the workflow -----------------------------------------------------------------------------


def test_a_draft_is_saved_and_audited(world):
    value = enter(world, "WAS 001", "90")
    assert (value.status, value.value, value.version) == ("draft", Decimal("90"), 1)
    event = AuditEvent.objects.get(object_id=str(value.pk), content_type__model="value")
    assert event.action == "create"
    assert event.changes["value"] == [None, "90"]
    assert event.actor_name == "enterer_a"


def test_submitting_an_amber_value_needs_a_comment(world):
    with pytest.raises(collection.EntryInvalid) as refused:
        enter(world, "WAS 001", "90", submit=True)
    assert "Amber (Firstbase)" in refused.value.errors["comment"]
    assert not Value.objects.exists()
    value = enter(world, "WAS 001", "90", submit=True, comment="Two crews off sick in May.")
    assert value.status == Value.Status.SUBMITTED


def test_red_needs_a_comment_and_green_does_not(world):
    with pytest.raises(collection.EntryInvalid, match="Red"):
        enter(world, "WAS 002", "11.5", submit=True)
    assert enter(world, "WAS 002", "10", submit=True).status == "submitted"


def test_a_special_cause_value_needs_a_comment_even_when_green(world):
    indicator = world.indicators["WAS 001"]
    from performance.core import periods

    quarter = periods.parse("2025/26 Q1")
    for step in range(1, 13):
        earlier = quarter.shift(-step)
        Value.objects.create(
            indicator=indicator,
            period=str(earlier),
            period_start=earlier.start,
            value=Decimal("96") + Decimal(step % 2),
            status=Value.Status.ACTIVATED,
        )
    judgement = collection.judge(indicator, "2025/26 Q1", collection.Entry(Decimal("100")))
    assert judgement.level.label == "Summit"
    assert judgement.needs_comment
    assert "special-cause" in judgement.why
    with pytest.raises(collection.EntryInvalid, match="special-cause"):
        enter(world, "WAS 001", "100", submit=True)


def test_a_manager_cannot_activate_their_own_entry(world):
    value = enter(world, "WAS 001", "96", user="officer", submit=True)
    # The officer entered it; as a performance officer they may activate others' entries only.
    with pytest.raises(collection.Refused, match=r"entered .* yourself"):
        collection.activate(user=world.users["officer"], value_id=value.pk, version=value.version)
    activated = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )
    assert activated.status == "activated"
    assert activated.activated_by == world.users["manager_a"]


def test_only_the_indicators_managers_activate(world):
    value = enter(world, "WAS 001", "96", submit=True)
    with pytest.raises(collection.Refused, match="not a data manager"):
        collection.activate(user=world.users["manager_b"], value_id=value.pk, version=value.version)


def test_activated_values_are_locked_until_reopened_with_a_reason(world):
    value = enter(world, "WAS 001", "96", submit=True)
    value = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )
    with pytest.raises(collection.Refused, match="locked"):
        enter(world, "WAS 001", "97")
    with pytest.raises(collection.EntryInvalid):
        collection.correct(
            user=world.users["manager_a"], value_id=value.pk, version=value.version, reason=" "
        )
    with pytest.raises(collection.Refused):
        collection.correct(
            user=world.users["enterer_a"], value_id=value.pk, version=value.version, reason="typo"
        )
    value = collection.correct(
        user=world.users["manager_a"],
        value_id=value.pk,
        version=value.version,
        reason="Contractor revised the tonnage",
    )
    assert value.status == "returned"
    assert value.activated_by is None
    event = AuditEvent.objects.filter(object_id=str(value.pk), content_type__model="value").first()
    assert (event.action, event.reason) == ("correct", "Contractor revised the tonnage")
    assert event.changes["status"] == ["activated", "returned"]
    value = enter(world, "WAS 001", "97", submit=True)
    assert value.status == "submitted"


def test_returning_needs_a_reason_that_the_enterer_sees(world):
    value = enter(world, "WAS 001", "96", submit=True)
    with pytest.raises(collection.EntryInvalid, match="reason"):
        collection.return_value(
            user=world.users["manager_a"], value_id=value.pk, version=value.version, reason=""
        )
    value = collection.return_value(
        user=world.users["manager_a"],
        value_id=value.pk,
        version=value.version,
        reason="Check against the contractor's report",
    )
    assert (value.status, value.return_reason) == (
        "returned",
        "Check against the contractor's report",
    )


def test_two_managers_activating_the_same_value_one_is_told_who_won(world):
    value = enter(world, "WAS 001", "96", submit=True)
    seen = value.version
    collection.activate(user=world.users["manager_a"], value_id=value.pk, version=seen)
    with pytest.raises(collection.StaleValue) as stale:
        collection.activate(user=world.users["manager_a2"], value_id=value.pk, version=seen)
    assert "changed by First" in stale.value.message or "manager_a" in stale.value.message
    assert "Reload" in stale.value.message
    assert Value.objects.get(pk=value.pk).activated_by == world.users["manager_a"]
    assert AuditEvent.objects.filter(action="activate").count() == 1


def test_an_enterer_editing_while_the_manager_returns_does_not_overwrite(world):
    value = enter(world, "WAS 001", "96", submit=True)
    on_screen = value.version
    collection.return_value(
        user=world.users["manager_a"], value_id=value.pk, version=on_screen, reason="Recheck"
    )
    with pytest.raises(collection.StaleValue, match="returned"):
        enter(world, "WAS 001", "97", version=on_screen)
    stored = Value.objects.get(pk=value.pk)
    assert (stored.status, stored.value) == ("returned", Decimal("96"))


def test_two_enterers_starting_the_same_item_the_second_is_refused(world):
    enter(world, "WAS 002", "9", user="enterer_a", version=0)
    with pytest.raises(collection.StaleValue, match="changed by"):
        enter(world, "WAS 002", "8", user="enterer_b", version=0)
    assert Value.objects.get(indicator=world.indicators["WAS 002"]).value == Decimal("9")


def test_enterers_only_enter_their_indicators(world):
    with pytest.raises(collection.Refused, match="not a data enterer"):
        enter(world, "HOU 001", "5", user="enterer_a")


def test_bulk_is_all_or_nothing_and_names_each_problem(world):
    a = enter(world, "WAS 001", "96", submit=True)
    b = enter(world, "WAS 002", "9", submit=True)
    # manager_b manages neither: every item is refused and named.
    with pytest.raises(collection.BulkRefused) as refused:
        collection.bulk(
            user=world.users["manager_a"],
            action="activate",
            items=[(a.pk, a.version), (b.pk, b.version - 1)],
        )
    assert [p.label for p in refused.value.problems] == ["WAS 002 2025/26 Q1"]
    assert Value.objects.get(pk=a.pk).status == "submitted"
    done = collection.bulk(
        user=world.users["manager_a"],
        action="activate",
        items=[(a.pk, a.version), (b.pk, b.version)],
    )
    assert {v.status for v in done} == {"activated"}


def test_no_data_is_recorded_once_and_audited_as_the_system(world):
    enter(world, "WAS 002", "9")
    items = collection.due_items([world.quarterly])
    recorded = [collection.mark_no_data(item) for item in items]
    assert sum(1 for r in recorded if r is not None) == 4
    again = [collection.mark_no_data(item) for item in collection.due_items([world.quarterly])]
    assert again == [None] * 4
    assert Value.objects.filter(status="no_data").count() == 4
    assert (
        AuditEvent.objects.filter(actor_name="system", action__in=["create", "no_data"])
        .filter(content_type__model="value")
        .count()
        == 4
    )


def test_visible_values_hide_other_teams_drafts(world):
    hou = enter(world, "HOU 001", "5", user="enterer_b")
    assert not Value.objects.drafts_visible_to(world.users["enterer_a"]).filter(pk=hou.pk).exists()
    assert Value.objects.drafts_visible_to(world.users["manager_b"]).filter(pk=hou.pk).exists()
    assert Value.objects.drafts_visible_to(world.users["officer"]).filter(pk=hou.pk).exists()

"""The first view after a change (issues 21, 23): a value activated through the real services
shows at once on the dashboard, the indicator list and the data quality board, and only its
indicator's figures are worked out again; an unrelated indicator's are not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dataquality import selectors as dq
from performance.collection import rounds
from performance.collection import services as collection
from performance.core.roles import Role
from performance.indicators import selectors
from tests.factories import TeamFactory, UserFactory
from tests.performance.indicators.test_pages_cache import HOME, LIST, make, row_of, team_cells

pytestmark = pytest.mark.django_db

BOARD = reverse("dataquality:dashboard")


@pytest.fixture
def period():
    return selectors.latest_reporting_period()


def spy(monkeypatch, module, name) -> list:
    """The `ids` each call of `module.name` was asked for (None: every indicator)."""
    calls: list = []
    real = getattr(module, name)

    def counting(*args, **kwargs):
        ids = kwargs.get("ids")
        calls.append(None if ids is None else sorted(ids))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.fixture
def council(period):
    """Waste (one indicator, no value yet) and Planning (an unrelated indicator, Red)."""
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    enterer = UserFactory(username="enterer", roles=[Role.DATA_ENTERER], teams=[waste])
    manager = UserFactory(username="manager", roles=[Role.DATA_MANAGER], teams=[waste])
    changed = make("WAS 1", period, None, target=90, team=waste)
    changed.enterers.set([enterer])
    changed.managers.set([manager])
    unrelated = make("PLA 1", period, 50, target=90, team=planning)
    round_, _ = rounds.open_round(kind="quarterly", request_date=period.request_date())
    return {"changed": changed, "unrelated": unrelated, "round": round_, "e": enterer, "m": manager}


def activate(council, number: str) -> None:
    value = collection.save_entry(
        user=council["e"],
        round_=council["round"],
        indicator=council["changed"],
        raw={"value": number, "comment": "Counted again."},
        version=0,
        submit=True,
    )
    collection.activate(user=council["m"], value_id=value.pk, version=value.version)


def test_the_dashboard_and_the_list_show_the_value_and_recompute_its_indicator_only(
    client, council, monkeypatch
):
    computed = spy(monkeypatch, selectors, "_compute_period_statuses")
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert team_cells(client.get(HOME).content.decode(), "Waste")[1] == "0"  # no Green yet
    assert "Summit (Green)" not in row_of(client.get(LIST).content.decode(), "WAS 1")
    unrelated_row = row_of(client.get(LIST).content.decode(), "PLA 1")
    assert computed == [None]

    activate(council, "95")

    home = client.get(HOME).content.decode()
    assert team_cells(home, "Waste") == ["1", "1", "0", "0", "0"]  # the new Green, at once
    after = row_of(client.get(LIST).content.decode(), "WAS 1")
    assert "95.0%" in after
    assert "Summit (Green)" in after
    assert row_of(client.get(LIST).content.decode(), "PLA 1") == unrelated_row
    # Submitting and activating each moved WAS 1's stamp; PLA 1 was never computed again.
    assert computed[0] is None
    assert len(computed) > 1
    assert all(ids == [council["changed"].pk] for ids in computed[1:])


def test_the_data_quality_board_shows_the_value_and_recomputes_its_indicator_only(
    client, council, monkeypatch
):
    computed = spy(monkeypatch, dq, "_pieces")
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    params = {"measure": "unactivated", "row": "all"}
    first = client.get(BOARD, params).content.decode()
    assert "0 records behind the number" in first
    assert computed == [None]

    value = collection.save_entry(
        user=council["e"],
        round_=council["round"],
        indicator=council["changed"],
        raw={"value": "95", "comment": "Counted again."},
        version=0,
        submit=True,
    )
    waiting = client.get(BOARD, params).content.decode()
    assert "1 record behind the number" in waiting  # submitted, not activated: at once
    assert "WAS 1" in waiting
    assert computed[1:] == [[council["changed"].pk]]

    collection.activate(user=council["m"], value_id=value.pk, version=value.version)
    assert "0 records behind the number" in client.get(BOARD, params).content.decode()
    assert computed[2:] == [[council["changed"].pk]]


def test_the_board_after_a_change_counts_as_the_board_computed_afresh(council, period):
    """The board assembled from pieces after a change is the board computed from nothing."""
    from performance.common import cache

    today = timezone.localdate()
    dq.dashboard(period=period, today=today)
    activate(council, "95")
    council["unrelated"].reviewed_on = today
    council["unrelated"].save()
    assembled = dq.dashboard(period=period, today=today)
    cache.clear()
    afresh = dq.dashboard(period=period, today=today)
    assert [(r.key, r.expected, r.activated, r.counts) for r in assembled.rows] == [
        (r.key, r.expected, r.activated, r.counts) for r in afresh.rows
    ]
    assert assembled.total.counts == afresh.total.counts
    assert [i.value_id for i in assembled.items] == [i.value_id for i in afresh.items]
    assert assembled.total.activated == 2


def test_the_statuses_after_a_change_are_the_statuses_computed_afresh(council, period):
    from performance.common import cache

    before = selectors.period_statuses(period)
    activate(council, "95")
    assembled = selectors.period_statuses(period)
    cache.clear()
    assert assembled == selectors.period_statuses(period)
    assert assembled != before
    assert [each.code for each in assembled] == ["PLA 1", "WAS 1"]
    assert Decimal("95") == next(e for e in assembled if e.code == "WAS 1").status.actual


def test_the_forecasts_after_a_change_project_only_the_changed_indicator(
    council, period, monkeypatch
):
    from performance.indicators import forecasts

    asked: list = []
    real = forecasts._compute

    def counting(ids, **kwargs):
        asked.append(list(ids))
        return real(ids, **kwargs)

    monkeypatch.setattr(forecasts, "_compute", counting)
    ids = [council["changed"].pk, council["unrelated"].pk]
    year = str(period.financial_year)
    forecasts.forecasts_for(indicator_ids=ids, year=year)
    assert asked == [sorted(ids)]
    activate(council, "95")
    found = forecasts.forecasts_for(indicator_ids=ids, year=year)
    assert set(found) == set(ids)
    assert all(each == [council["changed"].pk] for each in asked[1:])
    assert len(asked) > 1

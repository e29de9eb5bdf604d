"""The dashboard and the indicator list share one cached computation of every indicator's status.

Computed once per change of the "indicators" generation for all active indicators and readers,
then filtered to what each person may read. These tests count the computation, prove that a
change made through the real services shows on the next request, and that queries per page do
not grow with the number of indicators, cached or not.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.collection import rounds as services
from performance.collection import services as collection
from performance.common import cache
from performance.core.calculations import Level
from performance.core.roles import Role
from performance.indicators import selectors
from performance.manage import services as services_editing
from performance.models import Indicator, Target
from tests.factories import IndicatorFactory, TargetFactory, TeamFactory, UserFactory, ValueFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LIST = reverse("performance:indicator-list")


@pytest.fixture
def period():
    return selectors.latest_reporting_period()


@pytest.fixture
def computed(monkeypatch):
    """How many times the statuses of every indicator were computed (not read from the cache)."""
    calls = []
    real = selectors._compute_period_statuses

    def counting(*args, **kwargs):
        calls.append(kwargs.get("ids"))  # None: every indicator; else only those
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "_compute_period_statuses", counting)
    return calls


def make(code, period, actual, *, target=90, **fields) -> Indicator:
    indicator = IndicatorFactory(code=code, **fields)
    if actual is not None:
        ValueFactory(indicator=indicator, period=str(period), value=Decimal(actual))
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(target))
    return indicator


def row_of(html: str, code: str) -> str:
    """The table row of the indicator `code` in a page."""
    start = html.index(f'<span class="summit-code">{code}</span>')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def team_cells(html: str, team: str) -> list[str]:
    """Reporting, Green, Amber, Red, No data of `team` in the dashboard's teams by directorate."""
    every = html[html.index("Teams by directorate") :]
    start = every.index(f">{team}</a>")
    return re.findall(r"<td[^>]*>(\d+)</td>", every[start : every.index("</tr>", start)])


def codes(html: str) -> list[str]:
    return re.findall(r'<span class="summit-code">([^<]+)</span>', html)


# --- computed once, shared --------------------------------------------------------------------


def test_the_second_request_reads_the_statuses_from_the_cache(client, period, computed):
    make("A 1", period, 95)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    first = client.get(LIST).content.decode()
    assert len(computed) == 1
    second = client.get(LIST).content.decode()
    assert len(computed) == 1  # not computed again
    assert "Summit (Green)" in row_of(first, "A 1")
    assert row_of(second, "A 1") == row_of(first, "A 1")


def test_one_computation_serves_every_page_and_every_reader(client, period, computed):
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    make("W 1", period, 95, team=waste)
    make("P 1", period, 50, team=planning)
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[waste])

    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert codes(client.get(LIST).content.decode()) == ["P 1", "W 1"]
    client.get(HOME)
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    client.get(LIST)
    client.force_login(enterer)
    # Shared, yet filtered per person: the enterer reads their own team only.
    assert codes(client.get(LIST).content.decode()) == ["W 1"]
    assert "P 1" not in client.get(HOME).content.decode()
    assert len(computed) == 1


def test_another_period_is_computed_and_cached_on_its_own(client, period, computed):
    make("A 1", period, 95)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    client.get(LIST)
    client.get(LIST, {"period": str(period.previous())})
    client.get(LIST, {"period": str(period.previous())})
    client.get(LIST)
    assert len(computed) == 2


def test_the_date_is_part_of_the_key_because_it_closes_the_window(period, computed):
    """A missing value is still awaited while its window is open and No data once it closes."""
    make("A 1", period, None)
    [indicator] = Indicator.objects.all()
    close = period.window_close()
    before = selectors.period_statuses(period, today=close)
    after = selectors.period_statuses(period, today=close + dt.timedelta(days=1))
    assert [item.status.level for item in before] == [None]
    assert [item.status.level for item in after] == [Level.NO_DATA]
    assert [item.id for item in after] == [indicator.pk]
    assert len(computed) == 2
    selectors.period_statuses(period, today=close)
    assert len(computed) == 2


def test_a_process_cache_cleared_recomputes_the_same_result(period, computed):
    make("A 1", period, 85)
    first = selectors.period_statuses(period)
    cache.clear()
    again = selectors.period_statuses(period)
    assert len(computed) == 2
    assert again == first


# --- invalidation: a change shows on the next request -----------------------------------------


def test_a_value_entered_and_activated_through_the_services_shows_on_the_next_request(
    client, period, computed
):
    team = TeamFactory(name="Waste")
    enterer = UserFactory(username="enterer", roles=[Role.DATA_ENTERER], teams=[team])
    manager = UserFactory(username="manager", roles=[Role.DATA_MANAGER], teams=[team])
    indicator = make("WAS 1", period, None, target=90, team=team)
    indicator.enterers.set([enterer])
    indicator.managers.set([manager])
    ValueFactory(indicator=indicator, period=str(period.previous()), value=Decimal(80))
    round_, _ = services.open_round(kind="quarterly", request_date=period.request_date())
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))

    assert team_cells(client.get(HOME).content.decode(), "Waste")[1] == "0"  # no Green yet
    before = row_of(client.get(LIST).content.decode(), "WAS 1")
    assert "Summit (Green)" not in before
    assert "Improving" not in before
    assert len(computed) == 1

    value = collection.save_entry(
        user=enterer,
        round_=round_,
        indicator=indicator,
        raw={"value": "95", "comment": "Better collection rounds."},
        version=0,
        submit=True,
    )
    # A submitted value is not activated: the list (activated figures only) is unchanged.
    assert row_of(client.get(LIST).content.decode(), "WAS 1") == before
    collection.activate(user=manager, value_id=value.pk, version=value.version)

    after = row_of(client.get(LIST).content.decode(), "WAS 1")
    assert "95.0%" in after
    assert "✔</span> Summit (Green)" in after
    assert "↑</span> Improving" in after
    home = client.get(HOME).content.decode()
    assert "Summit (Green): 1;" in home
    # The shared team tables are rendered again too: Waste has one Green indicator.
    assert team_cells(home, "Waste") == ["1", "1", "0", "0", "0"]
    assert len(computed) == 3  # once at first, once after submitting, once after activating


def test_a_target_changed_through_the_services_shows_on_the_next_request(client, period):
    indicator = make("T 1", period, 85, target=90)
    client.force_login(officer := UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert "Firstbase (Amber)" in row_of(client.get(LIST).content.decode(), "T 1")

    saved = services_editing.save_targets(
        actor=officer,
        indicator=indicator,
        rows=[services_editing.TargetRow(period=period, value=Decimal(80), smart={})],
    )
    assert saved.updated == 1
    after = row_of(client.get(LIST).content.decode(), "T 1")
    assert "80.0%" in after
    assert "Summit (Green)" in after

    services_editing.save_targets(
        actor=officer,
        indicator=indicator,
        rows=[services_editing.TargetRow(period=period, value=None, smart={})],
    )
    assert not Target.objects.filter(indicator=indicator).exists()
    assert "Not rated" in row_of(client.get(LIST).content.decode(), "T 1")


def test_an_indicator_or_team_change_shows_on_the_next_request(client, period):
    team = TeamFactory(name="Waste")
    indicator = make("I 1", period, 95, team=team)
    retired = make("I 2", period, 95, team=team)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert codes(client.get(LIST).content.decode()) == ["I 1", "I 2"]

    indicator.title = "Missed bins per 100,000 collections"
    indicator.save()
    retired.active = False
    retired.save()
    team.name = "Waste and Recycling"
    team.save()
    html = client.get(LIST).content.decode()
    assert codes(html) == ["I 1"]
    assert "Missed bins per 100,000 collections" in row_of(html, "I 1")
    assert "Waste and Recycling" in row_of(html, "I 1")


def test_a_value_deleted_shows_on_the_next_request(client, period):
    indicator = make("D 1", period, 95)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert "Summit (Green)" in row_of(client.get(LIST).content.decode(), "D 1")
    indicator.values.get().delete()
    assert "Summit (Green)" not in row_of(client.get(LIST).content.decode(), "D 1")


def test_after_a_change_only_the_changed_indicators_status_is_worked_out_again(
    client, period, computed
):
    """After a change only the changed indicator's status is worked out again (its stamp
    moved; `performance.common.cache.assembled`): the others are neither read nor computed."""
    from performance.core import status

    made = [make(f"M {n}", period, Decimal("70.123") + n, target=Decimal("71.5")) for n in range(6)]
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    client.get(LIST)
    before = status._brief.cache_info()
    value = made[2].values.get()
    value.value = Decimal("99.321")
    value.save()
    html = client.get(LIST).content.decode()
    after = status._brief.cache_info()
    assert computed == [None, [made[2].pk]]  # every indicator, then the changed one only
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 0
    assert "99.3%" in row_of(html, "M 2")
    assert "Summit (Green)" in row_of(html, "M 2")
    assert "Firstbase (Amber)" in row_of(html, "M 0")


# --- queries: fixed whatever the number of indicators, cached or not --------------------------


def _queries(client, url, params=None) -> tuple[int, int]:
    """(queries of the first request after a change, queries of the next one)."""
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url, params or {}).status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        (Role.PERFORMANCE_OFFICER, HOME, None),
        (Role.PERFORMANCE_OFFICER, LIST, None),
        (Role.PERFORMANCE_OFFICER, LIST, {"status": "red", "q": "Q"}),
        (Role.MEMBER, HOME, None),
        (Role.SERVICE_MANAGER, HOME, None),
        (Role.DATA_ENTERER, HOME, None),
        (Role.DATA_ENTERER, LIST, {"page": 2}),
    ],
)
def test_queries_per_page_are_the_same_with_5_and_50_indicators(client, period, role, url, params):
    team = TeamFactory()
    user = UserFactory(roles=[role], teams=[team])
    team.head_of_service = user
    team.save()
    client.force_login(user)

    def with_indicators(count: int) -> tuple[int, int]:
        Indicator.objects.all().delete()
        for n in range(count):
            make(
                f"Q {n:03d}",
                period,
                60 + n % 40,
                team=team,
                frequency="monthly" if n % 3 == 0 else "quarterly",
                aggregation="mean",
                enterers=[user],
                managers=[user],
            )
        return _queries(client, url, params)

    small, large = with_indicators(5), with_indicators(50)
    assert large == small
    cold, warm = large
    assert warm < cold <= 25  # the cached read saves the three queries of the computation


def test_the_list_formats_only_the_page_it_shows(client, period, monkeypatch):
    for n in range(120):
        make(f"L {n:03d}", period, 80 + n % 20)
    formatted = []
    from performance.indicators import presentation as pages

    real = pages.row_for

    def counting(item):
        formatted.append(item.code)
        return real(item)

    monkeypatch.setattr(pages, "row_for", counting)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(LIST, {"page": 3}).content.decode()
    assert codes(html[html.index('id="indicator-results"') :]) == [
        f"L {n:03d}" for n in range(100, 120)
    ]
    assert formatted == [f"L {n:03d}" for n in range(100, 120)]
    assert "<strong>120</strong> indicators" in html
    assert "page 3 of 3" in html

"""The home dashboard per role: what each role sees, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.core.roles import Role
from performance.indicators import selectors
from performance.models import CollectionRound, Indicator
from tests.factories import IndicatorFactory, TargetFactory, TeamFactory, UserFactory, ValueFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def period():
    return selectors.latest_reporting_period()


def make(code, period, actual, *, previous=None, target=90, **fields) -> Indicator:
    indicator = IndicatorFactory(code=code, **fields)
    ValueFactory(indicator=indicator, period=str(period), value=Decimal(actual))
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(target))
    if previous is not None:
        ValueFactory(indicator=indicator, period=str(period.previous()), value=Decimal(previous))
    return indicator


def section(html: str, key: str) -> str:
    start = html.index(f'<section class="summit-dashboard-section" id="{key}"')
    return html[start : html.index("</section>", start)]


def rag_desc(html: str, key: str) -> str:
    return re.search(rf'<desc id="rag-{key}-desc">([^<]*)</desc>', html).group(1)


def listed(html: str) -> list[str]:
    return re.findall(r'<span class="summit-code">([^<]+)</span>', html)


def test_performance_officer_sees_counts_for_all_indicators_and_those_red_or_deteriorating(
    client, period
):
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    make("G 1", period, 95, previous=90, team=waste)  # Summit, improving
    make("G 2", period, 92, previous=95, team=planning)  # Summit, deteriorating
    make("A 1", period, 85, previous=85, team=waste)  # Firstbase, stable
    make("R 1", period, 50, team=planning)  # Basecamp, no comparison
    make("R 2", period, 10, team=planning, active=False)  # retired: left out
    today = timezone.localdate()
    CollectionRound.objects.create(
        kind="quarterly",
        period=str(period),
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=7),
    )
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME).content.decode()
    overview = section(html, "all")
    assert f"{period}: the latest quarter requested" in overview
    assert rag_desc(html, "all").endswith(
        "Summit (Green): 2; Firstbase (Amber): 1; Basecamp (Red): 1; No data: 0; Not rated: 0."
    )
    assert 'role="img"' in overview
    # Direction counts, with words.
    counts = dict(
        re.findall(
            # "No comparison" has no shape (issue 19: the absence of a reading is said in words).
            r"(?:</span> |\">)(Improving|Deteriorating|Stable|No comparison)</span></th><td[^>]*>(\d+)<",
            overview,
        )
    )
    assert counts == {"Improving": "1", "Deteriorating": "1", "Stable": "1", "No comparison": "1"}
    assert listed(overview) == ["G 2", "R 1"]  # Red or deteriorating
    assert f"KPIs and SPIs (quarterly) {period}" in html  # the open round


def test_an_enterer_sees_the_indicators_assigned_to_them_and_their_status(client, period):
    team = TeamFactory(name="Waste")
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[team])
    make("E 1", period, 95, team=team, enterers=[enterer])
    make("E 2", period, 50, team=team, enterers=[enterer])
    make("X 1", period, 50, team=team)  # same team, not theirs
    client.force_login(enterer)
    html = client.get(HOME).content.decode()
    mine = section(html, "entered")
    assert "Indicators you enter" in mine
    assert listed(mine) == ["E 1", "E 2"]
    assert "✔</span> Summit (Green)" in mine
    assert "✖</span> Basecamp (Red)" in mine
    assert 'id="managed"' not in html
    assert 'id="all"' not in html


def test_a_manager_sees_the_indicators_they_manage(client, period):
    team = TeamFactory()
    manager = UserFactory(roles=[Role.DATA_MANAGER], teams=[team])
    make("M 1", period, 88, team=team, managers=[manager])
    make("X 1", period, 88, team=team)
    client.force_login(manager)
    html = client.get(HOME).content.decode()
    assert listed(section(html, "managed")) == ["M 1"]
    assert "▲</span> Firstbase (Amber)" in section(html, "managed")


def test_an_enterer_with_nothing_assigned_is_told_so(client):
    client.force_login(UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()]))
    assert "No indicators are assigned to you to enter." in client.get(HOME).content.decode()


def test_a_head_of_service_sees_their_teams_indicators_only(client, period):
    own, other = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    own.head_of_service = head
    own.save()
    make("W 1", period, 95, team=own)
    make("W 2", period, 70, team=own)
    make("P 1", period, 70, team=other)
    client.force_login(head)
    html = client.get(HOME).content.decode()
    teams = section(html, "teams")
    assert listed(teams) == ["W 1", "W 2"]
    assert rag_desc(html, "teams").endswith(
        "Summit (Green): 1; Firstbase (Amber): 0; Basecamp (Red): 1; No data: 0; Not rated: 0."
    )


def test_a_member_sees_the_corporate_kpis_summary_with_a_rag_chart(client, period):
    make("K 1", period, 95, kind="KPI")
    make("K 2", period, 50, kind="KPI", previous=60)
    make("S 1", period, 50, kind="SPI")
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    html = client.get(HOME).content.decode()
    kpis = section(html, "kpis")
    assert "Corporate KPIs" in kpis
    svg = re.search(r"<svg.*?</svg>", kpis, re.S).group(0)
    assert 'aria-labelledby="rag-kpis-title rag-kpis-desc"' in svg
    assert rag_desc(html, "kpis").endswith(
        "Summit (Green): 1; Firstbase (Amber): 0; Basecamp (Red): 1; No data: 0; Not rated: 0."
    )
    assert listed(kpis) == ["K 2"]  # the Red KPI; the SPI is not a corporate KPI
    assert "kind=KPI" in kpis  # "see them" links keep to KPIs
    assert 'id="all"' not in html


def test_monthly_indicators_are_counted_by_their_quarter(client, period):
    indicator = IndicatorFactory(code="MON 1", frequency="monthly", aggregation="mean")
    for month in period.months():
        ValueFactory(indicator=indicator, period=str(month), value=Decimal(96))
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(95))
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME).content.decode()
    assert rag_desc(html, "all").startswith(
        "Number of indicators at each status. Summit (Green): 1;"
    )


@pytest.mark.parametrize(
    "role",
    [
        Role.PERFORMANCE_OFFICER,
        Role.SERVICE_MANAGER,
        Role.DATA_MANAGER,
        Role.DATA_ENTERER,
        Role.MEMBER,
    ],
)
def test_the_dashboard_issues_a_fixed_number_of_queries_whatever_the_number_of_indicators(
    client, period, role
):
    team = TeamFactory()
    user = UserFactory(roles=[role], teams=[team])
    client.force_login(user)

    def queries_with(count: int) -> int:
        Indicator.objects.all().delete()
        for n in range(count):
            make(
                f"D {n:03d}",
                period,
                70 + n % 30,
                previous=80,
                team=team,
                enterers=[user],
                managers=[user],
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(HOME)
        assert response.status_code == 200
        assert len(listed(response.content.decode())) > 0
        return len(captured.captured_queries)

    small, large = queries_with(5), queries_with(40)
    assert small == large
    assert large <= 25


def test_officers_see_counts_by_directorate_and_the_teams_most_in_the_red(client, period):
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    TeamFactory(name="Empty", directorate=waste.directorate)
    make("W 1", period, 50, team=waste)  # Basecamp
    make("W 2", period, 50, team=waste)  # Basecamp
    make("W 3", period, 95, team=waste)  # Summit
    make("P 1", period, 50, team=planning)  # Basecamp
    make("P 2", period, 85, team=planning)  # Firstbase
    make("U 1", period, 95, team=None)  # unassigned
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME).content.decode()
    table = section(html, "directorates")

    def cells(name: str) -> list[str]:
        start = table.index(f">{name}<")
        row = table[start : table.index("</tr>", start)]
        return re.findall(r"<td[^>]*>(?:<a[^>]*>)?(\d+)", row)

    # Teams, reporting, Green, Amber, Red, No data.
    assert cells(waste.directorate.name) == ["2", "3", "1", "0", "2", "0"]
    assert cells(planning.directorate.name) == ["1", "2", "0", "1", "1", "0"]
    assert cells("Unassigned") == ["0", "1", "1", "0", "0", "0"]
    link = r'\?team=(\d+)&amp;period=[^"]*">([^<]+)</a>'
    red = table[table.index("Teams with the most Red") : table.index("Teams by directorate")]
    # Most Red first; teams without a Red indicator are left out.
    assert re.findall(link, red) == [(str(waste.pk), "Waste"), (str(planning.pk), "Planning")]
    assert f"?team={waste.pk}&amp;status=red&amp;period=" in red
    # Every team, by directorate, with its counts: those without indicators too.
    every = table[table.index("Teams by directorate") :]
    assert sorted(name for _, name in re.findall(link, every)) == ["Empty", "Planning", "Waste"]
    empty = every[every.index(">Empty<") :]
    assert re.findall(r"<td[^>]*>(\d+)</td>", empty[: empty.index("</tr>")]) == ["0"] * 5
    assert '<span class="summit-figure">3</span>' in html  # teams you can see
    assert "Your teams" not in html


def test_the_team_rows_written_in_python_escape_names_and_link_each_team(client, period):
    odd = TeamFactory(name='Parks & <Open> "Spaces"')
    TeamFactory(name="Libraries", directorate=odd.directorate)
    make("O 1", period, 50, team=odd)  # Basecamp
    make("O 2", period, 95, team=odd)  # Summit
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME).content.decode()
    every = section(html, "directorates")
    every = every[every.index("Teams by directorate") :]
    assert "<Open>" not in every
    start = every.index(">Parks &amp; &lt;Open&gt; &quot;Spaces&quot;</a>")
    row = every[every.rindex("<tr", 0, start) : every.index("</tr>", start)]
    assert f'href="/indicators/?team={odd.pk}&amp;period={str(period).replace(" ", "%20")}"' in row
    # Reporting, Green, Amber, Red, No data.
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["2", "1", "0", "1", "0"]
    start = every.index(">Libraries</a>")
    row = every[every.rindex("<tr", 0, start) : every.index("</tr>", start)]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["0"] * 5


def test_others_see_a_line_per_team_of_theirs(client, period):
    own, other = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    enterer = UserFactory(
        first_name="Ada", last_name="Lovelace", roles=[Role.DATA_ENTERER], teams=[own]
    )
    own.head_of_service = enterer
    own.save()
    make("W 1", period, 50, team=own)
    make("W 2", period, 95, team=own)
    make("P 1", period, 50, team=other)
    client.force_login(enterer)
    html = client.get(HOME).content.decode()
    table = section(html, "your-teams")
    assert "Waste" in table
    assert "Planning" not in table
    assert "Ada Lovelace" in table
    row = table[table.index(">Waste<") :]
    row = row[: row.index("</tr>")]
    # People, reporting, Green, Amber, Red, No data.
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["1", "2", "1", "0", "1", "0"]
    assert 'id="directorates"' not in html

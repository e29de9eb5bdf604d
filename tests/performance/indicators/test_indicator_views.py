"""The indicator list (filters, period, pagination, htmx, fixed queries) and the indicator page
(per-object access, chart, status, history, targets, comments)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.core.roles import Role
from performance.indicators import selectors
from performance.models import ActionPlan, AuditEvent, Indicator, IndicatorComment, Value
from tests.factories import (
    IndicatorFactory,
    LongTermTargetFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
    ValueFactory,
    history,
)

pytestmark = pytest.mark.django_db

LIST = reverse("performance:indicator-list")


def detail_url(indicator: Indicator) -> str:
    return reverse("performance:indicator-detail", args=[indicator.pk])


def codes(response) -> list[str]:
    """Indicator codes in the results table, in order."""
    html = response.content.decode()
    results = html[html.index('id="indicator-results"') :]
    return re.findall(r'<span class="summit-code">([^<]+)</span>', results)


@pytest.fixture
def period():
    return selectors.latest_reporting_period()


@pytest.fixture
def officer(client):
    user = UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(user)
    return user


def with_status(code: str, period, actual, target=90, previous=None, **fields) -> Indicator:
    """A quarterly indicator with `actual` against `target` in `period` (and `previous` before)."""
    indicator = IndicatorFactory(code=code, **fields)
    ValueFactory(indicator=indicator, period=str(period), value=Decimal(actual))
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(target))
    if previous is not None:
        ValueFactory(indicator=indicator, period=str(period.previous()), value=Decimal(previous))
    return indicator


# --- the list ---------------------------------------------------------------------------------


def test_list_needs_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_list_shows_code_title_team_value_target_status_and_direction(client, officer, period):
    with_status(
        "WAS 001", period, actual=95, target=90, previous=93, title="Household waste recycled"
    )
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert codes(response) == ["WAS 001"]
    assert "Household waste recycled" in html
    assert "95.0%" in html
    assert "90.0%" in html
    assert "✔</span> Summit (Green)" in html
    assert "↑</span> Improving" in html
    assert f"Indicators for {period}" in html


def test_an_enterer_lists_only_their_teams_indicators(client, period):
    mine, theirs = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    user = UserFactory(roles=[Role.DATA_ENTERER], teams=[mine])
    IndicatorFactory(code="WAS 001", team=mine)
    IndicatorFactory(code="PLA 001", team=theirs)
    IndicatorFactory(code="UNA 001", team=None)
    client.force_login(user)
    assert codes(client.get(LIST)) == ["WAS 001"]
    # Nor can they pick the other team in the filter.
    response = client.get(LIST, {"team": theirs.pk})
    assert "Select a valid choice" in response.content.decode()


def test_members_and_officers_list_every_indicator_including_unassigned(client, period):
    IndicatorFactory(code="WAS 001")
    IndicatorFactory(code="UNA 001", team=None)
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    assert codes(client.get(LIST)) == ["UNA 001", "WAS 001"]


def test_retired_indicators_are_not_listed(client, officer):
    IndicatorFactory(code="OLD 001", active=False)
    IndicatorFactory(code="NEW 001")
    assert codes(client.get(LIST)) == ["NEW 001"]


def test_filters_narrow_the_list(client, officer, period):
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    with_status("A 1", period, 95, team=waste, kind="KPI", perspective="customer", previous=90)
    with_status("A 2", period, 85, team=waste, kind="SPI", perspective="financial", previous=90)
    with_status("A 3", period, 50, team=planning, kind="KPI", perspective="process", previous=90)
    with_status(
        "A 4",
        period,
        90,
        team=planning,
        kind="statutory",
        perspective="customer",
        previous=90,
        title="Benefit claims",
    )
    assert codes(client.get(LIST)) == ["A 1", "A 2", "A 3", "A 4"]
    assert codes(client.get(LIST, {"team": waste.pk})) == ["A 1", "A 2"]
    assert codes(client.get(LIST, {"kind": "KPI"})) == ["A 1", "A 3"]
    assert codes(client.get(LIST, {"perspective": "customer"})) == ["A 1", "A 4"]
    assert codes(client.get(LIST, {"status": "green"})) == ["A 1", "A 4"]
    assert codes(client.get(LIST, {"status": "amber"})) == ["A 2"]
    assert codes(client.get(LIST, {"status": "red"})) == ["A 3"]
    assert codes(client.get(LIST, {"direction": "deteriorating"})) == ["A 2", "A 3"]
    assert codes(client.get(LIST, {"direction": "stable"})) == ["A 4"]
    assert codes(client.get(LIST, {"q": "benefit"})) == ["A 4"]
    assert codes(client.get(LIST, {"team": planning.pk, "status": "red", "kind": "KPI"})) == ["A 3"]
    response = client.get(LIST, {"status": "red", "team": waste.pk})
    assert codes(response) == []
    assert "No indicators match these filters." in response.content.decode()


def test_status_filter_none_and_no_data(client, officer, period):
    with_status("A 1", period, 95)
    data_only = IndicatorFactory(code="A 2", polarity="none")
    ValueFactory(indicator=data_only, period=str(period), value=Decimal(3))
    missing = IndicatorFactory(code="A 3")
    TargetFactory(indicator=missing, period=str(period.previous()), value=Decimal(3))
    Value.objects.create(
        indicator=missing,
        period=str(period.previous()),
        period_start=period.previous().start,
        status=Value.Status.NO_DATA,
    )
    assert codes(client.get(LIST, {"status": "none"})) == ["A 2", "A 3"]
    assert codes(client.get(LIST, {"status": "no_data", "period": str(period.previous())})) == [
        "A 3"
    ]


def test_the_period_picker_defaults_to_the_latest_reporting_period_and_changes_the_figures(
    client, officer, period
):
    indicator = with_status("A 1", period, 95)
    ValueFactory(indicator=indicator, period=str(period.shift(-4)), value=Decimal("42.5"))
    html = client.get(LIST).content.decode()
    assert f'<option value="{period}" selected>' in html
    assert "95.0%" in html
    older = client.get(LIST, {"period": str(period.shift(-4))}).content.decode()
    assert "42.5%" in older
    assert "95.0%" not in older
    assert f"Indicators for {period.shift(-4)}" in older


def test_an_older_period_typed_into_the_url_is_kept(client, officer):
    IndicatorFactory(code="A 1")
    html = client.get(LIST, {"period": "2019/20 Q2"}).content.decode()
    assert '<option value="2019/20 Q2" selected>' in html
    assert "Indicators for 2019/20 Q2" in html


def test_a_bad_period_is_named_in_an_error_summary_and_inline(client, officer):
    IndicatorFactory(code="A 1")
    response = client.get(LIST, {"period": "2024/2025"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_period">Period: Enter a real period' in html
    assert 'id="id_period-error"' in html
    assert 'aria-describedby="id_period-error"' in html
    assert codes(response) == []


def test_annual_indicators_say_they_have_no_quarterly_figure(client, officer, period):
    IndicatorFactory(code="ANN 001", frequency="annual")
    html = client.get(LIST).content.decode()
    assert f"Reported annual: no figure for {period}" in html


def test_pagination_shows_50_a_page_with_the_govuk_component(client, officer):
    for n in range(55):
        IndicatorFactory(code=f"P {n:02d}")
    first = client.get(LIST)
    assert codes(first) == [f"P {n:02d}" for n in range(50)]
    html = first.content.decode()
    assert 'class="govuk-pagination"' in html
    assert 'aria-current="page">1</a>' in html
    assert 'rel="next"' in html
    second = client.get(LIST, {"page": 2})
    assert codes(second) == [f"P {n:02d}" for n in range(50, 55)]
    assert 'rel="prev"' in second.content.decode()


def test_pagination_keeps_the_filters(client, officer):
    team = TeamFactory(name="Waste")
    for n in range(55):
        IndicatorFactory(code=f"P {n:02d}", team=team)
    IndicatorFactory(code="Z 99")
    html = client.get(LIST, {"team": team.pk}).content.decode()
    assert f"?team={team.pk}&amp;page=2" in html
    assert codes(client.get(LIST, {"team": team.pk, "page": 2})) == [
        f"P {n:02d}" for n in range(50, 55)
    ]


def test_an_htmx_request_gets_only_the_results_fragment(client, officer, period):
    with_status("A 1", period, 95, kind="KPI")
    with_status("A 2", period, 95, kind="SPI")
    response = client.get(LIST, {"kind": "SPI"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="indicator-results"')
    assert "<html" not in html
    assert "Filter indicators" not in html
    assert codes(response) == ["A 2"]
    assert 'hx-swap-oob="true"' in html  # the result count outside the fragment is updated
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]
    # A history restore after a cache miss gets the whole page.
    full = client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.content.decode()


def test_the_filter_form_works_without_javascript_and_with_htmx(client, officer):
    html = client.get(LIST).content.decode()
    form = re.search(r"<form method=\"get\"[^>]*>", html).group(0)
    assert f'action="{LIST}"' in form
    assert f'hx-get="{LIST}"' in form
    assert 'hx-target="#indicator-results"' in form
    assert "Apply filters" in html


def _queries_for_list(client, count: int, period, team) -> int:
    Indicator.objects.all().delete()
    for n in range(count):
        indicator = with_status(f"Q {n:03d}", period, 80 + n % 20, previous=85, team=team)
        ValueFactory(
            indicator=indicator, period=str(period.same_period_last_year()), value=Decimal(70)
        )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"status": "amber"})
    assert response.status_code == 200
    assert len(codes(response)) == min(50, len([n for n in range(count) if 81 < 80 + n % 20 < 90]))
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", [Role.PERFORMANCE_OFFICER, Role.DATA_ENTERER, Role.MEMBER])
def test_the_list_issues_a_fixed_number_of_queries_whatever_the_number_of_indicators(
    client, period, role
):
    team = TeamFactory()
    client.force_login(UserFactory(roles=[role], teams=[team]))
    small = _queries_for_list(client, 5, period, team)
    large = _queries_for_list(client, 40, period, team)
    assert large == small
    assert large <= 25


def test_list_query_count_assert_num_queries(client, officer, period, django_assert_num_queries):
    for n in range(5):
        with_status(f"S {n}", period, 90)
    with CaptureQueriesContext(connection) as five:
        client.get(LIST)
    for n in range(55):
        with_status(f"T {n:02d}", period, 70)
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(LIST)
    assert len(codes(response)) == 50
    assert "60</strong> indicators" in response.content.decode()


# --- the indicator page -----------------------------------------------------------------------


def test_an_enterer_gets_404_for_another_teams_indicator(client):
    mine, theirs = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    user = UserFactory(roles=[Role.DATA_ENTERER], teams=[mine])
    own = IndicatorFactory(team=mine)
    other = IndicatorFactory(team=theirs)
    unassigned = IndicatorFactory(team=None)
    client.force_login(user)
    assert client.get(detail_url(own)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404
    assert client.get(detail_url(unassigned)).status_code == 404
    assert client.get(reverse("performance:indicator-detail", args=[999999])).status_code == 404


def test_a_head_of_service_reads_the_teams_they_head(client):
    team = TeamFactory()
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    team.head_of_service = head
    team.save()
    client.force_login(head)
    assert client.get(detail_url(IndicatorFactory(team=team))).status_code == 200
    assert client.get(detail_url(IndicatorFactory())).status_code == 404


@pytest.mark.parametrize("role", [Role.PERFORMANCE_OFFICER, Role.MEMBER])
def test_officers_and_members_read_any_indicator(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(detail_url(IndicatorFactory())).status_code == 200
    assert client.get(detail_url(IndicatorFactory(team=None))).status_code == 200


def test_the_page_shows_the_definition_people_and_source(client, officer):
    enterer = UserFactory(first_name="Eve", last_name="Enterer")
    manager = UserFactory(first_name="Max", last_name="Manager")
    indicator = IndicatorFactory(
        code="WAS 001",
        title="Household waste recycled",
        definition="Tonnes recycled over tonnes collected.",
        guidance="Use the WasteDataFlow return.",
        data_source="WasteDataFlow",
        third_party_partner="Kent Resource Partnership",
        baseline=Decimal("41.25"),
        baseline_period="2022/23",
        tolerance=Decimal(5),
        enterers=[enterer],
        managers=[manager],
    )
    html = client.get(detail_url(indicator)).content.decode()
    assert html.count("<h1") == 1
    for text in [
        "Household waste recycled",
        "Tonnes recycled over tonnes collected.",
        "Use the WasteDataFlow return.",
        "Third party: Kent Resource Partnership",
        indicator.team.name,
        "Eve Enterer",
        "Max Manager",
        "41.3% in 2022/23",
        "5%",
    ]:
        assert text in html, text


def test_the_page_shows_status_with_words_and_the_spc_reading_beside_it(client, officer, period):
    indicator = IndicatorFactory(code="WAS 001")
    # 12 calm values then a value far above: special cause, improving for higher-is-better.
    history(indicator, period, [50, 52, 50, 52, 50, 52, 50, 52, 50, 52, 50, 52, 80], target=60)
    html = client.get(detail_url(indicator)).content.decode()
    assert f"Status for {period}" in html
    assert "✔</span> Summit (Green)" in html
    assert "80.0%" in html
    assert "60.0%" in html
    assert "Special cause: improving" in html
    assert "Hits and misses the target" in html or "Consistently" in html
    assert "XmR chart" in html
    assert 'class="summit-chart__limit"' in html
    assert "Special cause, improving (square)" in html
    assert "Upper process limit" in html


def test_fewer_than_12_values_give_a_run_chart_with_a_note(client, officer, period):
    indicator = IndicatorFactory()
    history(indicator, period, [50, 55, 60], target=60)
    html = client.get(detail_url(indicator)).content.decode()
    assert "This is a run chart: 3 values" in html
    assert "summit-chart__limit" not in html
    assert "Too few points for SPC" in html
    assert (
        len(re.findall(r"[ML]\d", re.search(r'summit-chart__values" d="([^"]+)"', html).group(1)))
        == 3
    )


def test_history_lists_activated_values_with_target_status_direction_and_comment(
    client, officer, period
):
    indicator = IndicatorFactory()
    history(indicator, period.previous(), [70, 80], target=90)
    ValueFactory(
        indicator=indicator,
        period=str(period),
        value=Decimal(60),
        comment="Staff shortages in June.",
    )
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(90))
    html = client.get(detail_url(indicator)).content.decode()
    section = html[html.index('id="history"') : html.index('id="definition"')]
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', section)
    assert rows == [str(period), str(period.previous()), str(period.shift(-2))]
    assert "Staff shortages in June." in section
    assert "✖</span> Basecamp (Red)" in section
    assert "↓</span> Deteriorating" in section
    assert "↑</span> Improving" in section


def test_drafts_and_submitted_values_do_not_appear(client, officer, period):
    indicator = IndicatorFactory()
    ValueFactory(indicator=indicator, period=str(period.previous()), value=Decimal("12.3"))
    ValueFactory(
        indicator=indicator, period=str(period), value=Decimal("77.7"), status=Value.Status.DRAFT
    )
    ValueFactory(
        indicator=indicator,
        period=str(period.shift(-2)),
        value=Decimal("66.6"),
        status=Value.Status.SUBMITTED,
    )
    html = client.get(detail_url(indicator)).content.decode()
    assert "12.3%" in html
    assert "77.7" not in html
    assert "66.6" not in html


def test_targets_name_their_missing_smart_parts(client, officer, period):
    indicator = IndicatorFactory(baseline=None)
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(90))
    TargetFactory(
        indicator=indicator,
        period=str(period.previous()),
        value=Decimal(85),
        achievable_evidence="Top quartile of our CIPFA group",
        realistic=True,
        outcome=None,
    )
    LongTermTargetFactory(
        indicator=indicator, by_year="2029/30", value=Decimal(97), realism_note="Agreed by Cabinet"
    )
    html = client.get(detail_url(indicator)).content.decode()
    section = html[html.index('id="targets"') : html.index('id="action-plans"')]
    assert "Not SMART: lacks Specific, Achievable, Realistic" in section
    assert "Not SMART: lacks Specific</span>" in section
    assert "Specific: link it to an objective or outcome" in section
    assert "2029/30" in section
    assert "97.0%" in section
    assert "Not SMART: lacks Specific, Achievable</span>" in section


def test_action_plans_for_the_indicator_are_listed(client, officer):
    indicator = IndicatorFactory()
    ActionPlan.objects.create(
        indicator=indicator,
        team=indicator.team,
        title="Recover recycling rate",
        reason="Red two quarters running",
        owner=officer,
        opened_on="2025-01-15",
    )
    html = client.get(detail_url(indicator)).content.decode()
    assert "Recover recycling rate" in html
    assert "15 January 2025" in html


def test_a_bad_period_on_the_page_is_explained_and_the_latest_shown(client, officer, period):
    indicator = IndicatorFactory()
    html = client.get(detail_url(indicator), {"period": "Q9"}).content.decode()
    assert "govuk-warning-text" in html
    assert "Q9" in html
    assert "Showing" in html
    html = client.get(detail_url(indicator), {"period": "2024-07"}).content.decode()
    assert "reports quarterly" in html


def test_detail_query_count_does_not_grow_with_history(client, officer, period):
    indicator = IndicatorFactory()
    history(indicator, period, [50] * 4, target=60)
    with CaptureQueriesContext(connection) as short:
        client.get(detail_url(indicator))
    other = IndicatorFactory()
    history(other, period, [50 + n % 3 for n in range(40)], target=60)
    with CaptureQueriesContext(connection) as long:
        client.get(detail_url(other))
    assert len(long.captured_queries) == len(short.captured_queries) <= 25


# --- comments ---------------------------------------------------------------------------------


def test_a_member_comments_and_the_comment_is_audited(client, period):
    member = UserFactory(first_name="Cllr", last_name="Jones", roles=[Role.MEMBER])
    indicator = IndicatorFactory()
    ValueFactory(indicator=indicator, period=str(period), value=Decimal(50))
    client.force_login(member)
    url = reverse("performance:indicator-comment", args=[indicator.pk])
    response = client.post(url, {"text": "  Why has this fallen?  ", "period": str(period)})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{detail_url(indicator)}#comments")
    comment = IndicatorComment.objects.get()
    assert (comment.text, comment.period, comment.author) == (
        "Why has this fallen?",
        str(period),
        member,
    )
    event = AuditEvent.objects.get(object_id=str(comment.pk), action="create")
    assert event.actor == member
    assert event.changes["text"] == [None, "Why has this fallen?"]
    html = client.get(detail_url(indicator)).content.decode()
    assert "Why has this fallen?" in html
    assert "Cllr Jones" in html
    assert "Your comment has been added." in html


def test_an_empty_comment_is_refused_with_an_error_naming_the_field(client, officer):
    indicator = IndicatorFactory()
    url = reverse("performance:indicator-comment", args=[indicator.pk])
    response = client.post(url, {"text": "   ", "period": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_text">Your comment: Enter your comment' in html
    assert 'id="id_text-error"' in html
    assert IndicatorComment.objects.count() == 0
    assert AuditEvent.objects.filter(action="create").count() == 0


def test_a_comment_about_an_unknown_period_is_refused(client, officer):
    indicator = IndicatorFactory()
    url = reverse("performance:indicator-comment", args=[indicator.pk])
    response = client.post(url, {"text": "Hello", "period": "2001/02 Q1"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert IndicatorComment.objects.count() == 0


def test_comments_on_another_teams_indicator_are_404(client):
    team = TeamFactory()
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()])
    indicator = IndicatorFactory(team=team)
    url = reverse("performance:indicator-comment", args=[indicator.pk])
    client.force_login(enterer)
    assert client.post(url, {"text": "Hi"}).status_code == 404
    assert IndicatorComment.objects.count() == 0


def test_a_team_member_without_a_role_may_not_comment(client, settings):
    team = TeamFactory()
    user = UserFactory(teams=[team])
    indicator = IndicatorFactory(team=team)
    client.force_login(user)
    # Team membership alone lets a person read their team's figures but not comment.
    assert client.get(detail_url(indicator)).status_code == 200
    assert "Add a comment" not in client.get(detail_url(indicator)).content.decode()
    url = reverse("performance:indicator-comment", args=[indicator.pk])
    assert client.post(url, {"text": "Hi"}).status_code == 403
    assert IndicatorComment.objects.count() == 0


def test_comment_needs_post(client, officer):
    indicator = IndicatorFactory()
    assert (
        client.get(reverse("performance:indicator-comment", args=[indicator.pk])).status_code == 405
    )


def test_long_histories_show_the_latest_periods_with_a_link_to_all(client, officer, period):
    indicator = IndicatorFactory()
    history(indicator, period, [50 + n % 5 for n in range(30)], target=52)
    html = client.get(detail_url(indicator)).content.decode()
    section = html[html.index('id="history"') : html.index('id="definition"')]
    assert len(re.findall(r'<th scope="row"', section)) == 24
    assert "Show all 30 periods" in section
    targets = html[html.index('id="targets"') : html.index('id="action-plans"')]
    assert "Show all 30 targets" in targets
    everything = client.get(detail_url(indicator), {"all": "1"}).content.decode()
    section = everything[everything.index('id="history"') : everything.index('id="definition"')]
    assert len(re.findall(r'<th scope="row"', section)) == 30
    assert "Show all" not in section


def test_the_shortfall_is_put_in_words(client, officer, period):
    better = IndicatorFactory()
    ValueFactory(indicator=better, period=str(period), value=Decimal(99))
    TargetFactory(indicator=better, period=str(period), value=Decimal(90))
    assert "None: 10.0% better than target" in client.get(detail_url(better)).content.decode()
    worse = IndicatorFactory()
    ValueFactory(indicator=worse, period=str(period), value=Decimal(90))
    TargetFactory(indicator=worse, period=str(period), value=Decimal(95))
    assert "5.3% short of target" in client.get(detail_url(worse)).content.decode()


def test_a_comment_whose_author_has_left_still_shows(client, officer):
    indicator = IndicatorFactory()
    IndicatorComment.objects.create(indicator=indicator, author=None, text="Old remark")
    html = client.get(detail_url(indicator)).content.decode()
    assert "Old remark" in html
    assert "A former user" in html


def test_the_team_filter_lists_the_teams_one_may_read_and_keeps_the_choice(client, period):
    waste, planning = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    client.force_login(UserFactory(roles=[Role.DATA_ENTERER], teams=[waste]))
    html = client.get(LIST, {"team": waste.pk}).content.decode()
    select = re.search(r'<select name="team"[^>]*>.*?</select>', html, re.S).group(0)
    assert 'class="govuk-select"' in select
    assert 'id="id_team"' in select
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == ["All teams", "Waste"]
    assert f'<option value="{waste.pk}" selected>Waste</option>' in select
    refused = client.get(LIST, {"team": planning.pk})
    assert "Select a valid choice" in refused.content.decode()
    assert "Planning" not in refused.content.decode()


# --- the page's figures: computed once per change of the data, shared by every reader ---------


@pytest.fixture
def figured(monkeypatch):
    """Indicator ids whose page figures were computed (not read from the cache)."""
    from performance.indicators import figures as pages

    calls = []
    real = pages._compute_figures

    def counting(indicator, today):
        calls.append(indicator.pk)
        return real(indicator, today)

    monkeypatch.setattr(pages, "_compute_figures", counting)
    return calls


def history_section(html: str) -> str:
    start = html.index('id="history"')
    return html[start : html.index("</section>", start)]


def test_the_second_view_of_an_indicator_reads_its_figures_from_the_cache(
    client, officer, period, figured
):
    indicator = IndicatorFactory(code="FIG 1")
    history(indicator, period, [50 + n % 4 for n in range(14)], target=52)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(detail_url(indicator)).content.decode()
    with CaptureQueriesContext(connection) as warm:
        second = client.get(detail_url(indicator)).content.decode()
    # Counted now: the captured queries are read from the connection's log, which the next
    # request outside a capture clears.
    cold, warm = len(cold.captured_queries), len(warm.captured_queries)
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    third = client.get(detail_url(indicator)).content.decode()
    assert figured == [indicator.pk]  # one computation for two readers
    # The values, targets and change points are not read again, nor the year-end forecast's
    # settings, values and targets (issue 20); the rest is.
    assert warm == cold - 6
    assert history_section(second) == history_section(first) == history_section(third)
    assert "XmR chart of 14 values" in second


def test_figures_are_per_indicator_and_per_day(client, officer, period, figured, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    one, two = IndicatorFactory(code="ONE 1"), IndicatorFactory(code="TWO 1")
    history(one, period, [50, 51], target=52)
    history(two, period, [70, 71], target=52)
    assert "71.0%" not in client.get(detail_url(one)).content.decode()
    assert "71.0%" in client.get(detail_url(two)).content.decode()
    client.get(detail_url(one))
    assert figured == [one.pk, two.pk]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    client.get(detail_url(one))
    assert figured == [one.pk, two.pk, one.pk]  # the date decides No data: a new key


def test_a_value_activated_through_the_services_shows_on_the_page_at_once(client, period, figured):
    from performance.collection import rounds as services
    from performance.collection import services as collection

    team = TeamFactory(name="Waste")
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[team])
    manager = UserFactory(roles=[Role.DATA_MANAGER], teams=[team])
    indicator = IndicatorFactory(code="WAS 9", team=team, enterers=[enterer], managers=[manager])
    history(indicator, period.previous(), [80, 82], target=90)
    TargetFactory(indicator=indicator, period=str(period), value=Decimal(90))
    round_, _ = services.open_round(kind="quarterly", request_date=period.request_date())
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    page = detail_url(indicator)
    before = client.get(page, {"period": str(period)}).content.decode()
    assert "95.0%" not in before
    again = client.get(page, {"period": str(period)}).content.decode()
    assert history_section(again) == history_section(before)
    assert len(figured) == 1

    value = collection.save_entry(
        user=enterer,
        round_=round_,
        indicator=indicator,
        raw={"value": "95", "comment": "New crews on the rounds."},
        version=0,
        submit=True,
    )
    collection.activate(user=manager, value_id=value.pk, version=value.version)

    after = client.get(page, {"period": str(period)}).content.decode()
    status = after[after.index('id="status"') : after.index('id="chart"')]
    assert "95.0%" in status
    assert "Summit (Green)" in status
    rows = history_section(after)
    assert "New crews on the rounds." in rows  # the value's comment, in its history row
    assert rows.index(str(period)) < rows.index(str(period.previous()))
    # The new period may now be commented on.
    assert f'<option value="{period}">{period}</option>' in after


def test_a_target_saved_through_the_services_shows_on_the_page_at_once(client, officer, period):
    from performance.manage import services as services_editing

    indicator = IndicatorFactory(code="TGT 1")
    history(indicator, period, [85], target=90)
    page = detail_url(indicator)
    assert "Firstbase (Amber)" in client.get(page).content.decode()
    services_editing.save_targets(
        actor=officer,
        indicator=indicator,
        rows=[services_editing.TargetRow(period=period, value=Decimal(80), smart={})],
    )
    html = client.get(page).content.decode()
    assert "Summit (Green)" in html[html.index('id="status"') : html.index('id="chart"')]
    assert "80.0%" in history_section(html)


def test_per_person_parts_are_not_shared_through_the_cached_figures(client, officer, period):
    team = TeamFactory()
    indicator = IndicatorFactory(team=team)
    history(indicator, period, [50, 51], target=52)
    page = detail_url(indicator)
    assert "Add a comment" in client.get(page).content.decode()
    # A team member without a role reads the same figures, without the comment form.
    client.force_login(UserFactory(teams=[team]))
    html = client.get(page).content.decode()
    assert "Add a comment" not in html
    assert "51.0%" in history_section(html)
    # A refused comment shows its error beside the (cached) figures.
    client.force_login(officer)
    refused = client.post(reverse("performance:indicator-comment", args=[indicator.pk]), {})
    assert refused.status_code == 400
    assert "Enter your comment" in refused.content.decode()
    assert "51.0%" in history_section(refused.content.decode())


def test_another_period_is_computed_per_request_from_the_cached_data(
    client, officer, period, figured
):
    indicator = IndicatorFactory()
    history(indicator, period, [40, 60], target=50)
    page = detail_url(indicator)
    latest = client.get(page).content.decode()
    earlier = client.get(page, {"period": str(period.previous())}).content.decode()
    status_of = lambda html: html[html.index('id="status"') : html.index('id="chart"')]  # noqa: E731
    assert "Summit (Green)" in status_of(latest)
    assert "Basecamp (Red)" in status_of(earlier)
    assert f"Status for {period.previous()}" in status_of(earlier)
    assert figured == [indicator.pk]


def test_browsing_many_indicators_does_not_push_out_the_shared_statuses(
    client, officer, period, figured, monkeypatch
):
    from performance.indicators import figures as pages

    monkeypatch.setattr(pages._FigureStore, "SIZE", 2)
    computed = []
    real = selectors._compute_period_statuses
    monkeypatch.setattr(
        selectors,
        "_compute_period_statuses",
        lambda *args, **kwargs: computed.append(1) or real(*args, **kwargs),
    )
    made = [with_status(f"B {n}", period, 80 + n) for n in range(5)]
    client.get(LIST)
    for indicator in made:
        client.get(detail_url(indicator))
    client.get(LIST)
    assert len(computed) == 1  # the list's statuses are still cached
    # The figures store keeps the latest two indicators: the first is computed again.
    client.get(detail_url(made[-1]))
    client.get(detail_url(made[0]))
    assert figured == [each.pk for each in made] + [made[0].pk]


def test_warm_indicator_page_queries_are_fixed_whatever_the_history(client, officer, period):
    short, long = IndicatorFactory(), IndicatorFactory()
    history(short, period, [50] * 3, target=60)
    history(long, period, [50 + n % 3 for n in range(60)], target=60)
    counts = []
    for indicator in (short, long):
        client.get(detail_url(indicator))
        with CaptureQueriesContext(connection) as warm:
            client.get(detail_url(indicator), {"all": "1"})
        counts.append(len(warm.captured_queries))
    # 14: the history panel of the values (issue 19) reads the audit trail in one query.
    assert counts[0] == counts[1] <= 14


def test_a_change_empties_the_figures_of_the_previous_generation(client, officer, period):
    from performance.indicators import figures as pages

    indicator = IndicatorFactory()
    history(indicator, period, [50, 51], target=52)
    client.get(detail_url(indicator))
    [before] = pages._current_stores
    assert len(before._entries) == 1
    indicator.values.order_by("period_start").last().delete()
    html = client.get(detail_url(indicator)).content.decode()
    [after] = pages._current_stores
    assert after is not before
    assert len(before._entries) == 0  # not kept in memory beside the new figures
    assert len(after._entries) == 1
    assert "51.0%" not in history_section(html)

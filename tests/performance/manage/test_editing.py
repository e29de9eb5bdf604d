"""The Manage area: performance officers' forms for organisation, plans, indicators and targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from performance.core.roles import Role
from performance.manage.services import profile_annual
from performance.manage.views.kinds import KINDS
from performance.models import (
    AuditEvent,
    Directorate,
    Indicator,
    LongTermTarget,
    SpcChangePoint,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
)
from tests.factories import (
    ActivityFactory,
    DirectorateFactory,
    IndicatorFactory,
    OutcomeFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
)


def events(instance, action: str | None = None):
    found = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    )
    return found.filter(action=action) if action else found


@pytest.fixture
def officer(db, client):
    user = UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(user)
    return user


def version(client, kind: str, pk: int) -> str:
    """The version an edit form carries, as the officer opened it (issue 14)."""
    return client.get(reverse("performance:manage-edit", args=[kind, pk])).context["version"]


def table_version(client, url: str) -> str:
    """The version the targets table at `url` carries, as the officer opened it."""
    return client.get(url).context["version"]


def indicator_data(**overrides) -> dict:
    data = {
        "code": "WAS 001",
        "title": "Household waste recycled",
        "kind": "KPI",
        "perspective": "customer",
        "aspect": "delivery",
        "polarity": "higher",
        "unit": "percent",
        "decimals": "1",
        "frequency": "quarterly",
        "aggregation": "last",
        "tolerance": "",
        "definition": "",
        "guidance": "",
        "data_source": "",
        "third_party_partner": "",
        "team": "",
        "baseline": "",
        "baseline_period": "",
        "vfm_role": "",
        "reviewed_on": "",
        "active": "on",
    }
    data.update(overrides)
    return data


# --- who may manage -------------------------------------------------------------------------


def _manage_urls(world) -> list[tuple[str, str]]:
    team, indicator, membership, person = world
    urls = [
        ("get", reverse("performance:manage-index")),
        ("get", reverse("performance:manage-people")),
        ("get", reverse("performance:manage-person-roles", args=[person.pk])),
        ("post", reverse("performance:manage-person-roles", args=[person.pk])),
        ("get", reverse("performance:manage-team-members", args=[team.pk])),
        ("post", reverse("performance:manage-team-members", args=[team.pk])),
        (
            "post",
            reverse("performance:manage-team-member-remove", args=[team.pk, membership.pk]),
        ),
        ("get", reverse("performance:manage-targets", args=[indicator.pk])),
        ("post", reverse("performance:manage-targets", args=[indicator.pk])),
        ("get", reverse("performance:manage-edit", args=["indicators", indicator.pk])),
        ("post", reverse("performance:manage-edit", args=["indicators", indicator.pk])),
        ("get", reverse("performance:manage-delete", args=["teams", team.pk])),
        ("post", reverse("performance:manage-delete", args=["teams", team.pk])),
    ]
    for slug in KINDS:
        urls.append(("get", reverse("performance:manage-list", args=[slug])))
        urls.append(("get", reverse("performance:manage-create", args=[slug])))
        urls.append(("post", reverse("performance:manage-create", args=[slug])))
    return urls


@pytest.fixture
def world(db):
    team = TeamFactory(name="Waste")
    indicator = IndicatorFactory(team=team)
    person = UserFactory(username="sam", teams=[team])
    membership = TeamMembership.objects.get(user=person)
    return team, indicator, membership, person


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *[r for r in Role if r is not Role.PERFORMANCE_OFFICER]])
def test_everyone_but_performance_officers_gets_403_on_every_manage_url(client, world, role):
    team, _indicator, membership, _person = world
    user = UserFactory(username="someone", roles=[role] if role else [], teams=[team])
    client.force_login(user)
    for method, url in _manage_urls(world):
        response = getattr(client, method)(url, {"name": "Changed", "roles": ["Member"]})
        assert response.status_code == 403, (method, url, response.status_code)
    assert Team.objects.filter(pk=team.pk, name="Waste").exists()
    assert TeamMembership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for method, url in _manage_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("slug", list(KINDS))
def test_an_officer_can_open_every_list_and_add_form(client, officer, world, slug):
    assert client.get(reverse("performance:manage-list", args=[slug])).status_code == 200
    assert client.get(reverse("performance:manage-create", args=[slug])).status_code == 200


def test_the_index_links_every_kind(client, officer):
    response = client.get(reverse("performance:manage-index"))
    assert response.status_code == 200
    for slug in KINDS:
        assert reverse("performance:manage-list", args=[slug]).encode() in response.content


def test_unknown_kind_is_404(client, officer):
    assert client.get("/manage/spaceships/").status_code == 404


# --- indicators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field_label", "message"),
    [
        ({"decimals": "7"}, "Decimal places", "Decimal places must be 6 or fewer."),
        ({"tolerance": "-1"}, "Amber tolerance (%)", "The tolerance cannot be negative."),
        ({"tolerance": "abc"}, "Amber tolerance (%)", "Enter a number."),
        (
            {"baseline": "50", "baseline_period": "2024/2025"},
            "Baseline period",
            "&#x27;2024/2025&#x27; is not a period",
        ),
        (
            {"baseline": "50", "baseline_period": "2024-07"},
            "Baseline period",
            "2024-07 is a monthly period: a quarterly indicator needs a quarter or a financial year.",
        ),
        ({"baseline": "50"}, "Baseline period", "Enter the period of the baseline."),
        ({"kind": "KRI"}, "Kind", "Select a valid choice."),
        ({"code": ""}, "Code", "This field is required."),
    ],
)
def test_indicator_form_names_the_field_in_error(client, officer, overrides, field_label, message):
    response = client.post(
        reverse("performance:manage-create", args=["indicators"]), indicator_data(**overrides)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f"{field_label}: {message}" in html  # the error summary names the field
    assert 'class="govuk-error-message"' in html
    assert not Indicator.objects.exists()
    assert not AuditEvent.objects.exists()


def test_indicator_code_must_be_unique(client, officer):
    IndicatorFactory(code="WAS 001")
    response = client.post(
        reverse("performance:manage-create", args=["indicators"]),
        indicator_data(code="WAS  001 "),
    )
    assert response.status_code == 400
    assert "Code: An indicator with this code already exists." in response.content.decode()
    assert Indicator.objects.count() == 1


def test_creating_an_indicator_saves_every_attribute_and_audits_it(client, officer):
    team = TeamFactory(name="Waste")
    enterer = UserFactory(username="erin", roles=[Role.DATA_ENTERER])
    manager = UserFactory(username="max", roles=[Role.DATA_MANAGER])
    outcome = OutcomeFactory()
    response = client.post(
        reverse("performance:manage-create", args=["indicators"]),
        indicator_data(
            team=team.pk,
            enterers=[enterer.pk],
            managers=[manager.pk],
            outcomes=[outcome.pk],
            baseline="41.5",
            baseline_period="2023/24",
            tolerance="5",
            third_party_partner="Kent County Council",
        ),
    )
    indicator = Indicator.objects.get(code="WAS 001")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "performance:manage-edit", args=["indicators", indicator.pk]
    )
    assert indicator.team == team
    assert indicator.tolerance == Decimal(5)
    assert indicator.baseline_period == "2023/24"
    assert list(indicator.enterers.all()) == [enterer]
    assert list(indicator.managers.all()) == [manager]
    assert list(indicator.outcomes.all()) == [outcome]
    event = events(indicator, "create").get()
    assert event.actor == officer
    assert event.changes["code"] == [None, "WAS 001"]
    assert event.changes["tolerance"] == [None, "5"]
    assert event.changes["enterers"] == [None, [enterer.pk]]


def test_inactive_people_cannot_be_made_enterers(client, officer):
    gone = UserFactory(username="gone", is_active=False)
    response = client.post(
        reverse("performance:manage-create", args=["indicators"]),
        indicator_data(enterers=[gone.pk]),
    )
    assert response.status_code == 400
    assert "Data enterers: Select a valid choice." in response.content.decode()


def test_editing_the_tolerance_records_before_and_after(client, officer):
    indicator = IndicatorFactory(code="WAS 001", tolerance=Decimal("10"))
    data = indicator_data(
        code="WAS 001",
        title=indicator.title,
        team=indicator.team_id,
        tolerance="12.5",
        version=version(client, "indicators", indicator.pk),
    )
    response = client.post(
        reverse("performance:manage-edit", args=["indicators", indicator.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert "saved" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.tolerance == Decimal("12.5")
    event = events(indicator, "update").get()
    assert event.changes == {"tolerance": ["10.00", "12.5"]}
    assert event.actor_name == "pat"


def test_saving_an_unchanged_indicator_writes_no_audit_event(client, officer):
    indicator = IndicatorFactory(code="WAS 001", title="Waste", decimals=1)
    data = indicator_data(
        code="WAS 001",
        title="Waste",
        team=indicator.team_id,
        version=version(client, "indicators", indicator.pk),
    )
    response = client.post(
        reverse("performance:manage-edit", args=["indicators", indicator.pk]), data
    )
    assert response.status_code == 302
    assert not events(indicator).exists()


def test_frequency_cannot_become_coarser_than_existing_targets(client, officer):
    indicator = IndicatorFactory(code="WAS 001", frequency="monthly", aggregation="sum")
    TargetFactory(indicator=indicator, period="2024-05")
    data = indicator_data(
        code="WAS 001",
        title=indicator.title,
        frequency="quarterly",
        aggregation="sum",
        team=indicator.team_id,
        version=version(client, "indicators", indicator.pk),
    )
    response = client.post(
        reverse("performance:manage-edit", args=["indicators", indicator.pk]), data
    )
    assert response.status_code == 400
    assert "Frequency: The frequency cannot become quarterly" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.frequency == "monthly"


# --- single targets, long-term targets, change points ---------------------------------------


def target_data(indicator, **overrides) -> dict:
    data = {
        "indicator": indicator.pk,
        "period": "2024/25 Q1",
        "value": "95",
        "outcome": "",
        "achievable_evidence": "",
        "benchmark_quartile": "",
        "realism_note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period": "2024/2025"}, "Period: &#x27;2024/2025&#x27; is not a period"),
        ({"period": ""}, "Period: This field is required."),
        (
            {"period": "2024-07"},
            "Period: 2024-07 is a monthly period: a quarterly indicator needs a quarter or a financial year.",
        ),
        ({"value": "9.1234567"}, "Target: Ensure that there are no more than 6 decimal places."),
        ({"value": "lots"}, "Target: Enter a number."),
        ({"benchmark_quartile": "5"}, "Benchmark quartile: Select a valid choice."),
    ],
)
def test_target_form_names_the_field_in_error(client, officer, overrides, message):
    indicator = IndicatorFactory()
    response = client.post(
        reverse("performance:manage-create", args=["targets"]), target_data(indicator, **overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_period_is_refused(client, officer):
    indicator = IndicatorFactory(code="WAS 001")
    TargetFactory(indicator=indicator, period="2024/25 Q1")
    response = client.post(
        reverse("performance:manage-create", args=["targets"]),
        target_data(indicator, period=" 2024/25 q1 "),
    )
    assert response.status_code == 400
    assert (
        "Period: WAS 001 already has a target for 2024/25 Q1: change that one instead."
        in response.content.decode()
    )
    assert Target.objects.count() == 1


def test_a_monthly_indicator_may_have_a_yearly_target_with_its_start_date(client, officer):
    indicator = IndicatorFactory(frequency="monthly", aggregation="sum")
    outcome = OutcomeFactory()
    response = client.post(
        reverse("performance:manage-create", args=["targets"]),
        target_data(indicator, period="2025/26", value="1200", outcome=outcome.pk, realistic="on"),
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.period == "2025/26"
    assert str(target.period_start) == "2025-04-01"
    assert target.outcome == outcome
    assert target.realistic is True
    event = events(target, "create").get()
    assert event.changes["period"] == [None, "2025/26"]
    assert event.changes["period_start"] == [None, "2025-04-01"]


def test_changing_a_targets_period_moves_its_start(client, officer):
    target = TargetFactory(period="2024/25 Q1")
    client.post(
        reverse("performance:manage-edit", args=["targets", target.pk]),
        target_data(
            target.indicator,
            period="2024/25 Q3",
            value="90",
            version=version(client, "targets", target.pk),
        ),
    )
    target.refresh_from_db()
    assert (target.period, str(target.period_start)) == ("2024/25 Q3", "2024-10-01")
    assert events(target, "update").get().changes["period_start"] == ["2024-04-01", "2024-10-01"]


def test_target_list_shows_the_missing_smart_parts(client, officer):
    TargetFactory(period="2024/25 Q1")
    response = client.get(reverse("performance:manage-list", args=["targets"]))
    assert "Specific, Achievable, Realistic" in response.content.decode()


def test_long_term_target_must_be_three_to_five_years_out(client, officer, time_machine):
    time_machine.move_to("2025-06-01 12:00")
    indicator = IndicatorFactory()
    url = reverse("performance:manage-create", args=["long-term-targets"])
    data = {"indicator": indicator.pk, "value": "80", "benchmark_quartile": ""}
    response = client.post(url, {**data, "by_year": "2026/27"})
    assert response.status_code == 400
    assert "choose from 2028/29 to 2030/31" in response.content.decode()
    response = client.post(url, {**data, "by_year": "2029/30"})
    assert response.status_code == 302
    assert LongTermTarget.objects.get().by_year == "2029/30"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024/25", "2024/25 is a annual period"),
        ("2024/25 Q5", "quarter Q5 is not Q1-Q4"),
    ],
)
def test_change_point_period_must_be_of_the_indicators_frequency(client, officer, period, message):
    indicator = IndicatorFactory(frequency="quarterly")
    response = client.post(
        reverse("performance:manage-create", args=["change-points"]),
        {"indicator": indicator.pk, "period": period, "note": "New contractor"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SpcChangePoint.objects.exists()


def test_change_point_is_saved_with_the_written_period(client, officer):
    indicator = IndicatorFactory(frequency="quarterly")
    client.post(
        reverse("performance:manage-create", args=["change-points"]),
        {"indicator": indicator.pk, "period": "2024/25 q3", "note": "New contractor"},
    )
    assert SpcChangePoint.objects.get().period == "2024/25 Q3"


# --- the targets table and the profile helper --------------------------------------------------


def test_profile_sum_gives_equal_shares_that_add_up_exactly():
    shares = profile_annual(Decimal(100), aggregation="sum", parts=12, decimals=0)
    assert shares == [Decimal(8)] * 11 + [Decimal(12)]
    assert sum(shares) == 100
    assert (
        profile_annual(Decimal(1000), aggregation="sum", parts=4, decimals=1)
        == [Decimal("250.0")] * 4
    )


@pytest.mark.parametrize("aggregation", ["last", "mean", "ratio"])
def test_profile_repeats_the_annual_value_for_snapshot_mean_and_ratio(aggregation):
    assert (
        profile_annual(Decimal("95.5"), aggregation=aggregation, parts=4, decimals=1)
        == [Decimal("95.5")] * 4
    )


def table_data(values: list[str], **extra) -> dict:
    data = {
        "t-TOTAL_FORMS": str(len(values)),
        "t-INITIAL_FORMS": "0",
        "t-MIN_NUM_FORMS": str(len(values)),
        "t-MAX_NUM_FORMS": str(len(values)),
    }
    for index, value in enumerate(values):
        data[f"t-{index}-value"] = value
        data[f"t-{index}-benchmark_quartile"] = ""
    data.update(extra)
    return data


def test_targets_table_has_a_row_per_period_of_the_frequency(client, officer):
    indicator = IndicatorFactory(frequency="monthly", aggregation="sum")
    response = client.get(
        reverse("performance:manage-targets", args=[indicator.pk]), {"year": "2024/25"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["table"]) == 12
    assert "2024-04" in html
    assert "2025-03" in html


def test_profile_fills_the_rows_without_saving(client, officer):
    indicator = IndicatorFactory(frequency="monthly", aggregation="sum", decimals=0)
    url = reverse("performance:manage-targets", args=[indicator.pk]) + "?year=2024/25"
    response = client.post(
        url, table_data([""] * 12, action="profile", **{"profile-annual": "100"})
    )
    assert response.status_code == 200
    values = [row["form"]["value"].value() for row in response.context["table"]]
    assert values == ["8"] * 11 + ["12"]
    assert not Target.objects.exists()


def test_profile_without_an_annual_value_says_so(client, officer):
    indicator = IndicatorFactory(frequency="quarterly")
    url = reverse("performance:manage-targets", args=[indicator.pk]) + "?year=2024/25"
    response = client.post(url, table_data([""] * 4, action="profile"))
    assert response.status_code == 400
    assert "Annual target: This field is required." in response.content.decode()


def test_saving_the_table_creates_changes_and_removes_targets_with_audit(client, officer):
    indicator = IndicatorFactory(frequency="quarterly", aggregation="last")
    outcome = OutcomeFactory()
    kept = TargetFactory(indicator=indicator, period="2024/25 Q1", value=Decimal("90"))
    removed = TargetFactory(indicator=indicator, period="2024/25 Q4", value=Decimal("90"))
    url = reverse("performance:manage-targets", args=[indicator.pk]) + "?year=2024/25"
    data = table_data(
        ["92", "95", "95", ""],
        action="save",
        version=table_version(client, url),
        **{
            "t-1-outcome": str(outcome.pk),
            "t-1-realistic": "on",
            "t-1-achievable_evidence": "Top quartile in 2023/24",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["error_list"]
    targets = {t.period: t for t in Target.objects.filter(indicator=indicator)}
    assert set(targets) == {"2024/25 Q1", "2024/25 Q2", "2024/25 Q3"}
    assert targets["2024/25 Q1"].value == Decimal("92")
    assert targets["2024/25 Q2"].outcome == outcome
    assert str(targets["2024/25 Q3"].period_start) == "2024-10-01"
    assert events(kept, "update").get().changes == {"value": ["90.000000", "92"]}
    assert events(removed, "delete").get().changes["value"] == ["90.000000", None]
    assert AuditEvent.objects.filter(action="create").count() == 2


def test_the_table_shows_which_smart_parts_each_target_lacks(client, officer):
    indicator = IndicatorFactory(frequency="quarterly")
    TargetFactory(indicator=indicator, period="2024/25 Q1", realistic=True)
    response = client.get(
        reverse("performance:manage-targets", args=[indicator.pk]), {"year": "2024/25"}
    )
    gaps = [row["gaps"] for row in response.context["table"]]
    assert gaps[0] == ["Specific", "Achievable"]
    assert gaps[1:] == [None, None, None]


def test_a_bad_row_names_its_period_and_nothing_is_saved(client, officer):
    indicator = IndicatorFactory(frequency="quarterly")
    url = reverse("performance:manage-targets", args=[indicator.pk]) + "?year=2024/25"
    response = client.post(
        url,
        table_data(["90", "ninety", "90", "90"], action="save", version=table_version(client, url)),
    )
    assert response.status_code == 400
    assert "Target for 2024/25 Q2: Enter a number." in response.content.decode()
    assert not Target.objects.exists()


def test_a_bad_year_in_the_address_is_named(client, officer):
    indicator = IndicatorFactory()
    response = client.get(
        reverse("performance:manage-targets", args=[indicator.pk]), {"year": "2024"}
    )
    assert response.status_code == 400
    assert "Financial year: &#x27;2024&#x27; is not a period" in response.content.decode()


# --- organisation, people, deletion ---------------------------------------------------------


def test_deleting_a_team_with_indicators_is_refused_with_a_message(client, officer):
    team = TeamFactory(name="Waste")
    IndicatorFactory(team=team)
    IndicatorFactory(team=team)
    url = reverse("performance:manage-delete", args=["teams", team.pk])
    page = client.get(url)
    assert "it still has 2 indicators" in page.content.decode()
    assert b"govuk-button--warning" not in page.content
    response = client.post(url, follow=True)
    assert "Team “Waste” cannot be deleted: it still has 2 indicators" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
    assert not events(team).exists()


def test_deleting_a_directorate_with_teams_is_refused(client, officer):
    team = TeamFactory(name="Waste")
    response = client.post(
        reverse("performance:manage-delete", args=["directorates", team.directorate_id]),
        follow=True,
    )
    assert "it still has 1 team" in response.content.decode()
    assert Directorate.objects.filter(pk=team.directorate_id).exists()


def test_deleting_an_empty_directorate_is_audited(client, officer):
    directorate = DirectorateFactory(name="Old directorate")
    pk = directorate.pk
    response = client.post(reverse("performance:manage-delete", args=["directorates", pk]))
    assert response.status_code == 302
    assert not Directorate.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(pk))
    assert event.changes == {"name": ["Old directorate", None]}


def test_a_priority_with_outcomes_is_not_deleted_with_them(client, officer):
    outcome = OutcomeFactory()
    response = client.post(
        reverse("performance:manage-delete", args=["priorities", outcome.priority_id]),
        follow=True,
    )
    assert "it still has 1 outcome" in response.content.decode()
    outcome.refresh_from_db()


def test_team_form_makes_a_slug_and_audits_creation(client, officer):
    directorate = DirectorateFactory()
    head = UserFactory(username="hana", first_name="Hana", last_name="Ito")
    response = client.post(
        reverse("performance:manage-create", args=["teams"]),
        {
            "name": "Street Scene",
            "slug": "",
            "directorate": directorate.pk,
            "service": "",
            "head_of_service": head.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Street Scene")
    assert (team.slug, team.head_of_service, team.active) == ("street-scene", head, True)
    assert events(team, "create").get().changes["head_of_service"] == [None, head.pk]


def test_adding_and_removing_a_team_member_is_audited(client, officer):
    team = TeamFactory(name="Waste")
    person = UserFactory(username="sam", first_name="Sam", last_name="Lee")
    url = reverse("performance:manage-team-members", args=[team.pk])
    response = client.post(url, {"user": person.pk}, follow=True)
    assert "Sam Lee added to Waste." in response.content.decode()
    membership = TeamMembership.objects.get(team=team, user=person)
    assert events(membership, "create").exists()
    response = client.post(url, {"user": person.pk})
    assert response.status_code == 400
    assert "Person to add: Select a valid choice." in response.content.decode()
    client.post(reverse("performance:manage-team-member-remove", args=[team.pk, membership.pk]))
    assert not TeamMembership.objects.filter(team=team, user=person).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(membership.pk)).exists()


def test_assigning_roles_sets_groups_and_audits_them(client, officer):
    person = UserFactory(username="sam", roles=[Role.DATA_ENTERER])
    url = reverse("performance:manage-person-roles", args=[person.pk])
    response = client.post(url, {"roles": [Role.DATA_MANAGER.value, Role.DATA_ENTERER.value]})
    assert response.status_code == 302
    assert set(person.groups.values_list("name", flat=True)) == {
        Role.DATA_MANAGER.value,
        Role.DATA_ENTERER.value,
    }
    assert events(person, "update").get().changes == {
        "roles": [["Data enterer"], ["Data enterer", "Data manager"]]
    }
    response = client.post(url, {"roles": ["Emperor"]})
    assert response.status_code == 400
    assert "Roles: Select a valid choice." in response.content.decode()


def test_strategic_plan_is_entered_by_its_first_financial_year(client, officer):
    url = reverse("performance:manage-create", args=["strategic-plans"])
    data = {
        "title": "Council Plan",
        "vision": "A thriving borough",
        "community_strategy": "Our borough 2030",
        "financial_strategy": "Balanced budget to 2028",
    }
    response = client.post(url, {**data, "first_year": "2024/2025"})
    assert response.status_code == 400
    assert (
        "First financial year: &#x27;2024/2025&#x27; is not a period" in response.content.decode()
    )
    response = client.post(url, {**data, "first_year": "2024/25"})
    assert response.status_code == 302
    plan = StrategicPlan.objects.get()
    assert plan.first_year == 2024
    assert events(plan, "create").get().changes["financial_strategy"] == [
        None,
        "Balanced budget to 2028",
    ]
    edit = client.get(reverse("performance:manage-edit", args=["strategic-plans", plan.pk]))
    assert 'value="2024/25"' in edit.content.decode()


def test_individual_objective_year_must_match_its_activity(client, officer):
    activity = ActivityFactory(objective__plan__year="2024/25")
    person = UserFactory(username="sam")
    response = client.post(
        reverse("performance:manage-create", args=["individual-objectives"]),
        {"person": person.pk, "activity": activity.pk, "year": "2025/26", "title": "Lead"},
    )
    assert response.status_code == 400
    assert "Financial year: The activity belongs to the 2024/25 service plan" in (
        response.content.decode()
    )


def test_a_child_form_is_prefilled_with_its_parent(client, officer):
    outcome = OutcomeFactory()
    response = client.get(
        reverse("performance:manage-create", args=["measures"]), {"outcome": outcome.pk}
    )
    assert response.context["form"].initial == {"outcome": str(outcome.pk)}


# --- pages: fragments and query counts ------------------------------------------------------


def test_htmx_asks_only_for_the_table(client, officer):
    IndicatorFactory()
    response = client.get(
        reverse("performance:manage-list", args=["indicators"]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="manage-table">')
    assert "<h1" not in html


@pytest.mark.parametrize("slug", ["indicators", "targets", "activities", "teams"])
def test_list_pages_issue_a_fixed_number_of_queries(
    client, officer, django_assert_num_queries, slug
):
    def add(count):
        for _ in range(count):
            if slug == "indicators":
                IndicatorFactory()
            elif slug == "targets":
                TargetFactory(indicator=IndicatorFactory(), outcome=OutcomeFactory())
            elif slug == "activities":
                ActivityFactory(owner=UserFactory())
            else:
                TeamFactory(head_of_service=UserFactory(), service=None)

    url = reverse("performance:manage-list", args=[slug])
    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(30)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(few.captured_queries) <= 25
    assert len(response.context["rows"]) >= 33


def test_targets_and_people_pages_do_not_grow_with_rows(
    client, officer, django_assert_max_num_queries
):
    indicator = IndicatorFactory(frequency="monthly", aggregation="sum")
    for month in ["2024-04", "2024-05", "2024-06", "2024-07"]:
        TargetFactory(indicator=indicator, period=month, outcome=OutcomeFactory())
    for n in range(30):
        UserFactory(username=f"p{n}", teams=[TeamFactory()], roles=[Role.DATA_ENTERER])
    with django_assert_max_num_queries(25):
        client.get(reverse("performance:manage-targets", args=[indicator.pk]), {"year": "2024/25"})
    with django_assert_max_num_queries(25):
        client.get(reverse("performance:manage-people"))


def test_changing_enterers_is_audited_with_the_ids_before_and_after(client, officer):
    indicator = IndicatorFactory(code="WAS 001", title="Waste", decimals=1)
    first = UserFactory(username="erin")
    second = UserFactory(username="ed")
    indicator.enterers.set([first])
    data = indicator_data(
        code="WAS 001",
        title="Waste",
        team=indicator.team_id,
        enterers=[second.pk],
        version=version(client, "indicators", indicator.pk),
    )
    client.post(reverse("performance:manage-edit", args=["indicators", indicator.pk]), data)
    assert list(indicator.enterers.all()) == [second]
    assert events(indicator, "update").get().changes == {"enterers": [[first.pk], [second.pk]]}

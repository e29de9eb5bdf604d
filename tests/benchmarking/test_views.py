"""Benchmarking pages: who may see and change what, fixed query counts, htmx fragments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from benchmarking import selectors
from benchmarking.models import (
    BenchmarkingProject,
    BenchmarkMeasure,
    BenchmarkValue,
    EfficiencySaving,
    ProjectStep,
    VfmPair,
)
from performance.core.roles import Role
from performance.models import AuditEvent, Indicator, Value
from tests.benchmarking.helpers import COUNCIL, csv_bytes, group_of, measure_with_values
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(user)
    return user


@pytest.fixture
def enterer(client):
    user = UserFactory(username="erin", roles=[Role.DATA_ENTERER])
    client.force_login(user)
    return user


def _values(group, periods=("2022/23", "2023/24")):
    codes = sorted(group.members.values_list("code", flat=True))
    return {
        period: {code: str(40 + (index * 7 + offset) % 23) for index, code in enumerate(codes)}
        for offset, period in enumerate(periods)
    }


def test_pages_need_a_login(client):
    response = client.get(reverse("benchmarking:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [5, 50])
def test_comparison_page_issues_the_same_queries_whatever_the_group_size(
    client, enterer, django_assert_num_queries, size
):
    group = group_of(size)
    measure = measure_with_values(
        group, _values(group, ("2020/21", "2021/22", "2022/23", "2023/24"))
    )
    url = reverse("benchmarking:measure-detail", args=[measure.pk]) + f"?group={group.pk}"
    # session, user, roles, measure, the groups (chosen one and picker), members, values
    with django_assert_num_queries(7) as captured:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="govuk-table__row') >= size
    assert len(captured.captured_queries) <= 25


def test_comparison_shows_our_bar_by_pattern_and_words_and_the_same_data_in_a_table(
    client, enterer
):
    group = group_of(6)
    measure = measure_with_values(
        group,
        {
            "2023/24": {
                COUNCIL: "50",
                "E07000900": "60",
                "E07000901": "40",
                "E07000902": "55",
                "E07000903": "45",
                "E07000904": "50",
            }
        },
        polarity="higher",
        decimals=1,
    )
    response = client.get(reverse("benchmarking:measure-detail", args=[measure.pk]))
    body = response.content.decode()
    assert 'fill="url(#bm-hatch)"' in body
    assert 'stroke-width="3"' in body
    assert "Demo Borough Council (us)" in body  # COUNCIL_NAME, not the list's name (issue 19)
    assert '<title id="chart-title">' in body
    assert '<desc id="chart-desc">' in body
    # Shared rank 3 for the two 50s; median of 40,45,50,50,55,60 is 50.
    assert response.context["position"].rank == 3
    assert response.context["position"].median == Decimal("50")
    assert "Second quartile" in body
    assert 'style="' not in body
    assert "<script>" not in body


def test_htmx_request_gets_only_the_comparison_fragment(client, enterer):
    group = group_of(5)
    measure = measure_with_values(group, _values(group))
    url = reverse("benchmarking:measure-detail", args=[measure.pk])
    response = client.get(url + "?period=2022/23", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="comparison">')
    assert "<html" not in body
    assert "2022/23: Neighbours" in body


def test_unknown_period_and_group_are_not_found(client, enterer):
    group = group_of(5)
    measure = measure_with_values(group, _values(group))
    url = reverse("benchmarking:measure-detail", args=[measure.pk])
    assert client.get(url + "?period=2010/11").status_code == 404
    assert client.get(url + "?group=999").status_code == 404
    assert client.get(url + "?group=abc").status_code == 404


def test_overview_counts_quartiles_and_trend(client, enterer):
    group = group_of(5)
    measure_with_values(
        group,
        {
            "2022/23": {
                COUNCIL: "10",
                "E07000900": "20",
                "E07000901": "30",
                "E07000902": "40",
                "E07000903": "50",
            },
            "2023/24": {
                COUNCIL: "60",
                "E07000900": "20",
                "E07000901": "30",
                "E07000902": "40",
                "E07000903": "50",
            },
        },
        code="UP",
    )
    measure_with_values(
        group,
        {
            "2023/24": {
                COUNCIL: "10",
                "E07000900": "20",
                "E07000901": "30",
                "E07000902": "40",
                "E07000903": "50",
            }
        },
        code="LOW",
        title="Lower is better",
        polarity="lower",
    )
    response = client.get(reverse("benchmarking:index"))
    counts = response.context["overview"].counts
    assert counts.by_quartile == (2, 0, 0, 0)
    assert (counts.improving, counts.not_compared) == (1, 1)
    assert "Improving" in response.content.decode()


def test_import_is_for_performance_officers_only(client, enterer):
    assert client.get(reverse("benchmarking:import-benchmarks")).status_code == 403
    assert client.get(reverse("benchmarking:import-comparators")).status_code == 403
    assert client.get(reverse("benchmarking:project-new")).status_code == 403
    assert client.get(reverse("benchmarking:saving-new")).status_code == 403


def test_web_import_shows_every_bad_row_and_saves_nothing(client, officer):
    group_of(3)
    upload = csv_bytes(
        "authority_code,authority_name,period,value",
        "E07000110,,2023/24,49.6",
        "E07000110,,2023/24,49.7",
        "E07999999,,2023/24,abc",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("benchmarking:import-benchmarks"),
        {"measure": "REC", "file": SimpleUploadedFile("rec.csv", upload, "text/csv")},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Row 3: E07000110 2023/24 is a duplicate of row 2" in body
    assert "Row 4: unknown authority E07999999" in body
    assert "value: &#x27;abc&#x27; is not a number" in body
    assert not BenchmarkMeasure.objects.exists()


def test_web_import_of_a_good_file_redirects_to_the_comparison(client, officer):
    group_of(3)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = csv_bytes(
        "authority_code,period,value", "E07000110,2023/24,49.6", "E07000900,2023/24,51"
    )
    response = client.post(
        reverse("benchmarking:import-benchmarks"),
        {
            "measure": "REC",
            "title": "Recycling",
            "polarity": "higher",
            "file": SimpleUploadedFile("rec.csv", upload, "text/csv"),
        },
    )
    measure = BenchmarkMeasure.objects.get(code="REC")
    assert response.status_code == 302
    assert response["Location"] == reverse("benchmarking:measure-detail", args=[measure.pk])
    assert BenchmarkValue.objects.count() == 2
    assert AuditEvent.objects.filter(action="import", actor=officer).exists()


def test_officer_creates_and_edits_a_project_through_its_four_steps(client, officer):
    response = client.post(
        reverse("benchmarking:project-new"),
        {"title": "Planning speed", "type": "process", "partner_kind": "high_achievers"},
    )
    project = BenchmarkingProject.objects.get()
    assert response.status_code == 302
    assert [s.step for s in project.steps.all()] == [
        "understand",
        "analyse",
        "compare",
        "implement",
    ]
    data = {
        "title": "Planning speed",
        "type": "process",
        "partner_kind": "internal",
        "steps-TOTAL_FORMS": "4",
        "steps-INITIAL_FORMS": "4",
        "steps-MIN_NUM_FORMS": "4",
        "steps-MAX_NUM_FORMS": "4",
    }
    for index, step in enumerate(["understand", "analyse", "compare", "implement"]):
        data[f"steps-{index}-step"] = step
        data[f"steps-{index}-status"] = "done" if index == 0 else "not_started"
        data[f"steps-{index}-notes"] = "Mapped the process." if index == 0 else ""
    response = client.post(reverse("benchmarking:project-edit", args=[project.pk]), data)
    assert response.status_code == 302
    understand = project.steps.get(step="understand")
    assert (understand.status, understand.notes) == ("done", "Mapped the process.")
    event = AuditEvent.objects.filter(object_id=str(understand.pk), action="update").get()
    assert event.changes["status"] == ["not_started", "done"]
    page = client.get(reverse("benchmarking:project-detail", args=[project.pk])).content.decode()
    assert "Mapped the process." in page
    assert "Done" in page


def test_project_edit_with_a_bad_status_shows_errors_and_changes_nothing(client, officer):
    client.post(
        reverse("benchmarking:project-new"),
        {"title": "P", "type": "process", "partner_kind": "internal"},
    )
    project = BenchmarkingProject.objects.get()
    data = {
        "title": "",
        "type": "process",
        "partner_kind": "internal",
        "steps-TOTAL_FORMS": "4",
        "steps-INITIAL_FORMS": "4",
        "steps-MIN_NUM_FORMS": "4",
        "steps-MAX_NUM_FORMS": "4",
    }
    for index, step in enumerate(["understand", "analyse", "compare", "implement"]):
        data |= {
            f"steps-{index}-step": step,
            f"steps-{index}-status": "finished",
            f"steps-{index}-notes": "",
        }
    response = client.post(reverse("benchmarking:project-edit", args=[project.pk]), data)
    assert response.status_code == 200
    assert "Title: This field is required." in response.content.decode()
    assert set(ProjectStep.objects.values_list("status", flat=True)) == {"not_started"}


def test_enterer_cannot_edit_a_project_but_can_read_it(client, enterer):
    project = BenchmarkingProject.objects.create(title="P", type="process", partner_kind="internal")
    assert client.get(reverse("benchmarking:project-detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("benchmarking:project-edit", args=[project.pk])).status_code == 403
    assert client.get(reverse("benchmarking:project-detail", args=[999])).status_code == 404


def _indicator(code, team, role, **extra):
    fields = {"polarity": "none", "frequency": "quarterly", **extra}
    return Indicator.objects.create(
        code=code,
        title=f"Indicator {code}",
        kind="SPI",
        perspective="financial",
        aspect="cost",
        unit="number",
        aggregation="sum",
        team=team,
        vfm_role=role,
        **fields,
    )


def _value(indicator, period, value, status=Value.Status.ACTIVATED):
    from performance.core import periods

    Value.objects.create(
        indicator=indicator,
        period=period,
        period_start=periods.parse(period).start,
        value=Decimal(value),
        status=status,
    )


def test_vfm_page_shows_efficiency_with_direction_and_register_totals(client, officer):
    team = TeamFactory()
    output, cost = _indicator("OUT", team, "output"), _indicator("IN", team, "input")
    VfmPair.objects.create(title="Tonnes per £", output=output, input=cost, decimals=2)
    for period, out, inp in [
        ("2024/25 Q1", "100", "50"),
        ("2024/25 Q2", "120", "50"),
        ("2024/25 Q3", "90", "50"),
    ]:
        _value(output, period, out)
        _value(cost, period, inp)
    _value(output, "2024/25 Q4", "500", status=Value.Status.SUBMITTED)  # not activated: not shown
    EfficiencySaving.objects.create(
        description="A", year="2024/25", approach="reduced_inputs", cashable=True, amount=1000
    )
    EfficiencySaving.objects.create(
        description="B", year="2024/25", approach="invest_to_save", cashable=False, amount=-250
    )
    response = client.get(reverse("benchmarking:vfm"))
    [row] = response.context["rows"]
    assert [str(p.efficiency) for p in row.points] == ["2", "2.4", "1.8"]
    assert [p.direction.value for p in row.points] == ["none", "improving", "deteriorating"]
    body = response.content.decode()
    assert "↓</span> Deteriorating" in body  # the registry's direction shape (issue 19)
    totals = response.context["register"].totals
    assert totals.overall.total == Decimal(750)
    assert "−£250" in body
    assert "£750" in body


def test_vfm_pairs_of_teams_the_user_cannot_read_are_hidden(client, enterer):
    other = TeamFactory()
    VfmPair.objects.create(
        title="Hidden pair",
        output=_indicator("O2", other, "output"),
        input=_indicator("I2", other, "input"),
    )
    response = client.get(reverse("benchmarking:vfm"))
    assert response.context["rows"] == []
    assert "Hidden pair" not in response.content.decode()


def test_saving_form_names_the_bad_field(client, officer):
    response = client.post(
        reverse("benchmarking:saving-new"),
        {
            "description": "X",
            "year": "2024/2025",
            "approach": "reduced_inputs",
            "cashable": "True",
            "amount": "ten",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the financial year like 2024/25." in body
    assert "amount (£): Enter a number." in body.replace("Amount", "amount")
    assert not EfficiencySaving.objects.exists()
    response = client.post(
        reverse("benchmarking:saving-new"),
        {
            "description": "X",
            "year": "2024/25",
            "approach": "reduced_inputs",
            "cashable": "False",
            "amount": "10",
        },
    )
    assert response.status_code == 302
    saving = EfficiencySaving.objects.get()
    assert saving.cashable is False
    assert AuditEvent.objects.filter(action="create", object_id=str(saving.pk)).exists()


def test_position_for_indicator_and_its_fragment(client, enterer):
    team = TeamFactory()
    indicator = _indicator("WAS 001", None, "", polarity="higher")
    group = group_of(5)
    measure = measure_with_values(
        group,
        {
            "2023/24": {
                COUNCIL: "30",
                "E07000900": "10",
                "E07000901": "20",
                "E07000902": "40",
                "E07000903": "50",
            }
        },
    )
    measure.indicator = indicator
    measure.save()
    result = selectors.position_for_indicator(indicator, "2024/25 Q2")
    assert result.period == "2023/24"
    assert not result.exact_period
    assert (result.position.rank, result.position.quartile) == (3, 2)
    # Others 10, 20, 40, 50: reaching the median needs 20; the top quartile needs 40.
    assert (result.targets.median, result.targets.top_quartile) == (Decimal("20"), Decimal("40"))
    assert selectors.position_for_indicator(_indicator("X", team, "")) is None

    from django.template import Context, Template

    html = Template("{% load benchmarking %}{% indicator_benchmark indicator '2023/24' %}").render(
        Context({"indicator": indicator})
    )
    assert 'id="indicator-position"' in html
    assert "3 of 5" in html
    assert "Second quartile" in html
    # An indicator without a team is read by officers and members only (the access gate): an
    # enterer of no team gets 404, as on the indicator pages; a member reads its targets.
    url = reverse("benchmarking:indicator-targets", args=[indicator.pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(username="mo", roles=[Role.MEMBER]))
    page = client.get(url)
    assert page.status_code == 200
    assert "Suggested targets" in page.content.decode()


def test_suggested_targets_page_is_404_for_an_indicator_of_another_team(client, enterer):
    indicator = _indicator("SECRET", TeamFactory(), "")
    assert (
        client.get(reverse("benchmarking:indicator-targets", args=[indicator.pk])).status_code
        == 404
    )


def test_vfm_compares_a_monthly_output_with_a_quarterly_cost_by_quarter(client, officer):
    team = TeamFactory()
    output = _indicator("OUTM", team, "output", frequency="monthly")
    cost = _indicator("INQ", team, "input")
    VfmPair.objects.create(title="Per £", output=output, input=cost, per=1000, decimals=1)
    for month, value in [("2024-04", "10"), ("2024-05", "20"), ("2024-06", "30"), ("2024-07", "5")]:
        _value(output, month, value)
    _value(cost, "2024/25 Q1", "4000")
    _value(cost, "2024/25 Q2", "4000")
    [row] = client.get(reverse("benchmarking:vfm")).context["rows"]
    # Q1: (10 + 20 + 30) × 1000 ÷ 4000 = 15; Q2 has one month of three, so no output figure.
    assert [(p.period, p.output, p.efficiency) for p in row.points] == [
        ("2024/25 Q1", Decimal(60), Decimal(15)),
        ("2024/25 Q2", None, None),
    ]


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_overview_and_project_list_queries_do_not_grow_with_rows(client, officer):
    group = group_of(5)
    measure_with_values(group, _values(group), code="A")
    BenchmarkingProject.objects.create(title="P0", type="process", partner_kind="internal")
    index, projects = reverse("benchmarking:index"), reverse("benchmarking:project-list")
    few = (_count_queries(client, index), _count_queries(client, projects))
    group.members.add(*group_of(40, name="More", with_council=False).members.all())
    for n in range(6):
        measure_with_values(group, _values(group), code=f"M{n}", title=f"M{n}")
        BenchmarkingProject.objects.create(
            title=f"P{n + 1}", type="process", partner_kind="internal"
        )
    many = (_count_queries(client, index), _count_queries(client, projects))
    assert few == many
    assert max(many) <= 25

"""In Chromium: the benchmarking pages a performance officer and a member use, axe-clean."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from benchmarking import services
from benchmarking.models import EfficiencySaving, VfmPair
from performance.core import periods
from performance.core.roles import Role
from performance.models import Indicator, Value
from tests.benchmarking.helpers import COUNCIL, group_of, measure_with_values
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data():
    group = group_of(8, name="Nearest neighbours")
    codes = sorted(group.members.values_list("code", flat=True))
    values = {
        period: {code: str(35 + (i * 5 + shift) % 27) for i, code in enumerate(codes)}
        for shift, period in enumerate(["2021/22", "2022/23", "2023/24"])
    }
    measure = measure_with_values(
        group, values, code="REC", title="Recycling rate (%)", unit="percent"
    )
    officer = UserFactory(username="pat", first_name="Pat", roles=[Role.PERFORMANCE_OFFICER])
    services.create_project(
        actor=officer,
        data={
            "title": "Recycling with high achievers",
            "type": "performance",
            "partner_kind": "high_achievers",
        },
    )
    fields = {
        "kind": "SPI",
        "perspective": "financial",
        "aspect": "cost",
        "polarity": "none",
        "unit": "number",
        "frequency": "quarterly",
        "aggregation": "sum",
    }
    output = Indicator.objects.create(
        code="VFM 1", title="Tonnes recycled", vfm_role="output", **fields
    )
    cost = Indicator.objects.create(code="VFM 2", title="Cost (£000)", vfm_role="input", **fields)
    VfmPair.objects.create(title="Recycling for the money", output=output, input=cost)
    for label, out, inp in [("2024/25 Q1", 400, 160), ("2024/25 Q2", 420, 150)]:
        for indicator, value in ((output, out), (cost, inp)):
            Value.objects.create(
                indicator=indicator,
                period=label,
                period_start=periods.parse(label).start,
                value=Decimal(value),
                status=Value.Status.ACTIVATED,
            )
    EfficiencySaving.objects.create(
        description="Round optimisation",
        year="2024/25",
        approach="reduced_inputs",
        cashable=True,
        amount=85000,
    )
    return measure


def test_officer_reads_the_comparison_changes_period_and_edits_a_project(page, tmp_path):
    measure = _data()
    login(page, "pat", PASSWORD)
    page.get_by_role("link", name="Benchmarking", exact=True).first.click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Where we stand against comparable councils"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Recycling rate (%)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Recycling rate (%)"
    chart = page.get_by_role("img", name="Recycling rate (%), 2023/24, Nearest neighbours")
    assert chart.is_visible()
    assert "Us" in page.locator("tr.bm-row--ours").inner_text()
    assert_accessible(page)

    # Choosing a period with htmx swaps the comparison in place and updates the address.
    page.get_by_label("Period").select_option("2021/22")
    expect(page.locator("#comparison h2")).to_contain_text("2021/22")
    assert "period=2021%2F22" in page.url or "period=2021/22" in page.url
    assert_accessible(page)

    page.goto(f"{page.base_url}/benchmarking/projects/")
    assert_accessible(page)
    page.get_by_role("link", name="Recycling with high achievers").click()
    page.get_by_role("link", name="Edit project and steps").click()
    assert_accessible(page)
    page.locator("#id_steps-0-status").select_option("done")
    page.locator("#id_steps-0-notes").fill("Mapped our rounds.")
    page.get_by_role("button", name="Save project").click()
    assert "Mapped our rounds." in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{page.base_url}/benchmarking/value-for-money/")
    assert page.get_by_role("heading", level=1).inner_text() == "Value for money"
    assert "£85,000" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Pair an output with its cost").click()
    page.get_by_role("button", name="Save").click()
    assert "Enter the name of the measure" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    # A bad import: the error summary names the rows, nothing is saved, the page stays accessible.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"authority_code,period,value\n{COUNCIL},2024/25,abc\nE07999999,2024/25,1\n")
    page.goto(f"{page.base_url}/benchmarking/import/")
    assert_accessible(page)
    page.get_by_label("Measure code").fill("REC")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    summary = page.locator(".govuk-error-summary")
    assert "Row 2: value: 'abc' is not a number" in summary.inner_text()
    assert "Row 3: unknown authority E07999999" in summary.inner_text()
    assert_accessible(page)
    assert measure.values.filter(period="2024/25").count() == 0
    assert page.console_errors == []


def test_member_reads_but_cannot_import(page):
    _data()
    UserFactory(username="cllr", roles=[Role.MEMBER])
    login(page, "cllr", PASSWORD)
    page.goto(f"{page.base_url}/benchmarking/")
    assert page.get_by_role("link", name="Import benchmark figures").count() == 0
    assert_accessible(page)
    response = page.goto(f"{page.base_url}/benchmarking/import/")
    assert response.status == 403

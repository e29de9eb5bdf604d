"""import_indicators' optional `corporate_health` column (issue 20): yes/no like the other
optional yes/no columns; absent, it leaves the flag alone; an export reads back unchanged. And
the flag in Manage's indicator form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.core.roles import Role
from performance.indicators import imports
from performance.models import AuditEvent, Indicator
from tests.factories import UserFactory
from tests.performance.manage.test_editing import indicator_data

pytestmark = pytest.mark.django_db

HEADER = (
    "code,title,kind,perspective,aspect,polarity,unit,decimals,frequency,aggregation,team,"
    "tolerance,baseline,baseline_period"
)
SICKNESS = "COR 001,Sickness days per FTE,KPI,learning,quality,lower,days,1,quarterly,last,,,,"
HOMES = "HOU 010,Net additional homes,KPI,customer,delivery,higher,number,0,annual,sum,,,,"


def _import(tmp_path, *lines: str, header: str):
    path = tmp_path / "indicators.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return imports.import_indicators(path=path)


def test_the_column_sets_the_flag_and_an_export_reads_back_unchanged(tmp_path):
    header = f"{HEADER},corporate_health"
    _import(tmp_path, f"{SICKNESS},yes", f"{HOMES},", header=header)
    flags = dict(Indicator.objects.values_list("code", "corporate_health"))
    assert flags == {"COR 001": True, "HOU 010": False}
    cells = imports.option_cells(Indicator.objects.order_by("code"))
    by_code = {i.code: cells[i.pk] for i in Indicator.objects.all()}
    assert by_code["COR 001"]["corporate_health"] == "yes"
    assert by_code["HOU 010"]["corporate_health"] == "no"
    events = AuditEvent.objects.count()
    again = [
        f"{SICKNESS},{by_code['COR 001']['corporate_health']}",
        f"{HOMES},{by_code['HOU 010']['corporate_health']}",
    ]
    result = _import(tmp_path, *again, header=header)
    assert result.unchanged == 2
    assert AuditEvent.objects.count() == events


def test_a_later_file_clears_it_audited_and_a_file_without_it_leaves_it_alone(tmp_path):
    header = f"{HEADER},corporate_health"
    _import(tmp_path, f"{SICKNESS},yes", header=header)
    _import(tmp_path, SICKNESS, header=HEADER)
    assert Indicator.objects.get(code="COR 001").corporate_health is True
    result = _import(tmp_path, f"{SICKNESS},no", header=header)
    assert result.updated == 1
    assert Indicator.objects.get(code="COR 001").corporate_health is False
    event = AuditEvent.objects.filter(action="update").latest("at")
    assert event.changes["corporate_health"] == [True, False]


def test_a_cell_that_is_not_yes_or_no_is_refused_naming_the_column(tmp_path):
    with pytest.raises(imports.ImportRejected) as rejected:
        _import(tmp_path, f"{SICKNESS},maybe", header=f"{HEADER},corporate_health")
    assert any(
        "column corporate_health" in e and "not yes or no" in e for e in rejected.value.errors
    )
    assert not Indicator.objects.exists()


def test_manages_indicator_form_sets_and_clears_the_flag_audited(client):
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    create = reverse("performance:manage-create", args=["indicators"])
    assert 'name="corporate_health"' in client.get(create).content.decode()
    response = client.post(create, indicator_data(corporate_health="on"))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="WAS 001")
    assert indicator.corporate_health is True
    edit = reverse("performance:manage-edit", args=["indicators", indicator.pk])
    version = client.get(edit).context["version"]
    client.post(edit, indicator_data(version=version))
    indicator.refresh_from_db()
    assert indicator.corporate_health is False
    event = AuditEvent.objects.filter(action="update").latest("at")
    assert event.changes["corporate_health"] == [True, False]

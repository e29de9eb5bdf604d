"""In Chromium (issue 18): an officer uploads a council workbook with a problem and reads it under
its sheet, uploads a good one, sees the preview of what it would create, imports it, and
uploading it again says it changes nothing; axe finds nothing on any of these pages."""

from __future__ import annotations

import pytest

from performance.core.roles import Role
from performance.models import Team
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.browser import assert_accessible, login
from tests.performance.manage.test_council_workbook import PERSON, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_previews_and_imports_a_council_workbook(page, tmp_path, settings):
    settings.COUNCIL_UPLOADS = tmp_path / "uploads"
    UserFactory(username="lead", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "lead", PASSWORD)
    page.goto(f"{page.base_url}/manage/")
    page.get_by_role("link", name="Council workbook").click()
    assert_accessible(page)

    (tmp_path / "bad").mkdir()
    bad = workbook(tmp_path / "bad", People=[[*PERSON[:3], "Parks", "enterer"]])
    page.get_by_label("Council workbook").set_input_files(str(bad))
    page.get_by_role("button", name="Check the workbook").click()
    page.get_by_role("heading", name="small.xlsx cannot be imported").wait_for()
    page.get_by_role("heading", name="People").wait_for()
    assert "Row 2, column team: team 'Parks'" in page.content().replace("&#x27;", "'")
    assert_accessible(page)

    page.get_by_role("link", name="Upload a corrected workbook").click()
    page.get_by_label("Council workbook").set_input_files(str(workbook(tmp_path)))
    page.get_by_role("button", name="Check the workbook").click()
    table = page.get_by_role("table", name="What the import would do, sheet by sheet")
    row = table.get_by_role("row", name="Teams")
    assert row.get_by_role("cell").nth(0).inner_text() == "1"
    assert not Team.objects.exists()
    assert_accessible(page)

    page.get_by_role("button", name="Import the workbook").click()
    page.get_by_text("Imported small.xlsx.").wait_for()
    assert Team.objects.get().name == "Waste"
    assert_accessible(page)

    page.get_by_label("Council workbook").set_input_files(str(workbook(tmp_path)))
    page.get_by_role("button", name="Check the workbook").click()
    page.get_by_text("The workbook changes nothing").wait_for()
    assert_accessible(page)


def test_a_large_workbook_goes_to_a_worker_and_its_page_is_accessible(page, tmp_path, settings):
    settings.COUNCIL_UPLOADS = tmp_path / "uploads"
    settings.COUNCIL_LARGE_UPLOAD = 0  # every workbook goes to the worker (inline in tests)
    UserFactory(username="lead", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "lead", PASSWORD)
    page.goto(f"{page.base_url}/manage/council/")
    page.get_by_label("Council workbook").set_input_files(str(workbook(tmp_path)))
    page.get_by_role("button", name="Check the workbook").click()
    page.get_by_role("button", name="Import the workbook").click()
    page.get_by_role("heading", name="Importing small.xlsx").wait_for()
    page.get_by_text("Done: the workbook was imported.").wait_for()
    assert Team.objects.get().name == "Waste"
    assert_accessible(page)

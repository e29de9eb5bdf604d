"""Issue 22: the Reach the Summit poster is a tagged PDF (PDF/UA-1): language, title, one H1,
its league table with column header cells, the running content in the structure tree."""

from __future__ import annotations

import pytest

from tests.reach_summit import test_views
from tests.reach_summit.conftest import build_team
from tests.reports.test_pdf_tagging import UA_ID, problems, structure, tag, xmp_value

pytestmark = pytest.mark.django_db

member_client = test_views.member_client


def test_the_poster_is_a_tagged_pdf_with_a_table_of_column_headers(member_client):
    build_team("Waste and Street Scene")
    build_team("Parks", ("firstbase", "summit", "summit", "summit"))
    response = member_client.get(f"{test_views.URL}poster.pdf", {"quarter": test_views.Q1_SLUG})
    data = response.content
    assert problems(data) == []
    reader, nodes = structure(data)
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title == "Reach the Summit 2024/25 Q1 – Demo Borough Council"
    assert xmp_value(reader.xmp_metadata, UA_ID, "part") == "1"
    headers = [e for _, e in nodes if tag(e) == "/TH"]
    assert len(headers) == 8  # Rank, Team, four perspectives, Score, Award
    assert {str(e["/A"]["/Scope"]) for e in headers} == {"/Column"}
    assert sum(1 for _, e in nodes if tag(e) == "/TR") == 3  # the header row and two teams

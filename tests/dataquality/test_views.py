"""The data quality pages: access, forms, evidence downloads and query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dataquality.models import Evidence, PolicyVersion, Statement
from performance.core.roles import Role
from performance.models import Value
from tests.dataquality.fixtures import publish
from tests.dataquality.test_services import PDF
from tests.factories import TeamFactory, UserFactory
from tests.performance.collection.test_collection import make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_value():
    team = TeamFactory(name="Waste")
    enterer = UserFactory(username="w_enterer", roles=[Role.DATA_ENTERER], teams=[team])
    indicator = make_indicator("WAS 001", team, enterers=[enterer])
    row = Value.objects.create(
        indicator=indicator, period="2025/26 Q1", period_start=dt.date(2025, 4, 1), value=Decimal(5)
    )
    return team, enterer, row


def test_dashboard_and_filters(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    response = client.get(reverse("dataquality:dashboard"))
    assert response.status_code == 200
    assert b"Completeness" in response.content
    assert b"Relevance" in response.content
    bad = client.get(reverse("dataquality:dashboard"), {"period": "2024/2025"})
    assert bad.status_code == 400
    assert b"Period:" in bad.content
    fragment = client.get(reverse("dataquality:dashboard"), headers={"HX-Request": "true"})
    assert fragment.content.strip().startswith(b'<div id="dq-board">')


def test_another_teams_filter_is_a_404(client):
    mine, other = TeamFactory(), TeamFactory()
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[mine])
    client.force_login(enterer)
    assert client.get(reverse("dataquality:dashboard"), {"team": other.pk}).status_code == 404
    assert client.get(reverse("dataquality:dashboard"), {"team": mine.pk}).status_code == 200


def _populate(teams: int, indicators: int):
    for _ in range(teams):
        team = TeamFactory()
        for n in range(indicators):
            indicator = make_indicator(
                f"{team.pk}-{n}", team, frequency="monthly", aggregation="mean"
            )
            for month in ("2025-04", "2025-05"):
                Value.objects.create(
                    indicator=indicator,
                    period=month,
                    period_start=dt.date(2025, int(month[-1]), 1),
                    value=Decimal(50),
                    status="activated",
                    activated_at=dt.datetime(2025, 6, 3, tzinfo=dt.UTC),
                )


def test_dashboard_queries_do_not_grow_with_the_rows(client, django_assert_max_num_queries):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    params = {"period": "2025/26 Q1", "measure": "days", "row": "all"}
    _populate(2, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _populate(6, 5)
    with django_assert_max_num_queries(25), CaptureQueriesContext(connection) as large:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(large) == len(small)


def test_a_repeated_dashboard_is_served_from_the_cache_until_a_value_changes(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    params = {"period": "2025/26 Q1", "measure": "unactivated", "row": "all"}
    _populate(3, 2)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url, params)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url, params)
    assert len(warm) < len(cold)
    assert not any("performance_value" in q["sql"] for q in warm.captured_queries)
    fragment = client.get(url, params, headers={"HX-Request": "true"})
    assert fragment.content.strip().startswith(b'<div id="dq-board">')
    assert fragment.content.strip() in first.content  # the same board, cold or warm
    assert fragment.content.strip() in second.content
    assert b"0 records behind the number" in second.content

    row = Value.objects.filter(period="2025-04").first()
    row.status = "submitted"
    row.activated_at = None
    row.save()
    after = client.get(url, params)
    assert b"1 record behind the number" in after.content
    assert row.indicator.code.encode() in after.content


def test_the_indicator_filter_lists_the_chosen_teams_indicators(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    mine, other = TeamFactory(name="Mine"), TeamFactory(name="Other")
    ours = make_indicator("MINE 1", mine)
    theirs = make_indicator("OTHER 1", other)

    def offered(params) -> str:
        page = client.get(url, params).content.decode()
        return page[page.index('id="dq-indicator"') :].split("</select>")[0]

    everything = client.get(url).content.decode()
    assert "Choose a team and select Show to list its indicators" in everything
    assert "MINE 1" not in offered({})
    assert "OTHER 1" not in offered({})
    assert "MINE 1" in offered({"team": mine.pk})
    assert "OTHER 1" not in offered({"team": mine.pk})
    assert f'<option value="{theirs.pk}" selected>OTHER 1' in offered({"indicator": theirs.pk})
    assert client.get(url, {"team": mine.pk, "indicator": theirs.pk}).status_code == 404
    assert client.get(url, {"team": mine.pk, "indicator": ours.pk}).status_code == 200


def test_a_long_drill_down_lists_the_first_records_and_says_so(client, monkeypatch):
    from dataquality import views

    monkeypatch.setattr(views, "DRILL_LIMIT", 3)
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    team = TeamFactory(name="Many")
    for n in range(5):
        make_indicator(f"MANY {n}", team)
    params = {"measure": "not_reviewed", "row": "all"}
    page = client.get(reverse("dataquality:dashboard"), params).content.decode()
    assert "5 records behind the number: the first 3 are listed" in page
    drill = page[page.index('id="drill"') :]
    assert drill.count('<th scope="row"') == 3


def test_each_filter_shows_its_own_board_from_the_cache(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    mine, other = TeamFactory(name="Mine"), TeamFactory(name="Other")
    make_indicator("MINE 1", mine)
    make_indicator("OTHER 1", other)
    for _ in range(2):  # cold, then warm
        every = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "by team" in every
        assert "Mine" in every
        assert "Other" in every
        ours = client.get(url, {"team": mine.pk}, headers={"HX-Request": "true"}).content.decode()
        assert "by indicator" in ours
        assert "MINE 1" in ours
        assert "OTHER 1" not in ours
        drill = client.get(
            url, {"team": mine.pk, "measure": "not_reviewed"}, headers={"HX-Request": "true"}
        ).content.decode()
        assert "Relevance: not reviewed this year" in drill


def _two_directorates():
    """Three teams in two directorates, each with a quarterly indicator missing in Q1."""
    from tests.factories import DirectorateFactory

    north, south = DirectorateFactory(name="North"), DirectorateFactory(name="South")
    teams = [
        TeamFactory(name="North roads", directorate=north),
        TeamFactory(name="North parks", directorate=north),
        TeamFactory(name="South schools", directorate=south),
    ]
    for n, team in enumerate(teams):
        make_indicator(f"DIR {n}", team)
    return north, south, teams


def test_a_big_board_lists_directorates_and_their_teams_on_request(client, monkeypatch):
    from dataquality import views

    monkeypatch.setattr(views, "TEAMS_LISTED", 2)  # three teams: more than listed at once
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    north, south, (roads, _parks, schools) = _two_directorates()
    params = {"period": "2025/26 Q1"}

    def board(extra=None) -> str:
        response = client.get(url, {**params, **(extra or {})}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.content.decode()

    page = board()
    assert "by directorate and team" in page
    assert "North" in page
    assert "South" in page
    assert "North roads" not in page
    assert "South schools" not in page
    assert f"directorate={north.pk}#dq-d{north.pk}" in page
    assert "Show teams" in page
    assert "Hide teams" not in page
    # The directorate's number: its two teams' indicators are missing.
    assert f"row=d{north.pk}" in page
    drill = board({"measure": "not_reviewed", "row": f"d{north.pk}"})
    assert "Relevance: not reviewed this year, North" in drill
    assert "2 records behind the number" in drill

    opened = board({"directorate": north.pk})
    assert "North roads" in opened
    assert "North parks" in opened
    assert "South schools" not in opened
    assert "Hide teams" in opened
    # Numbers drilled into keep the directorate open.
    assert f"directorate={north.pk}&amp;measure=not_reviewed&amp;row={roads.pk}" in opened

    # Drilling into a team's number opens its directorate.
    team_drill = board({"measure": "not_reviewed", "row": schools.pk})
    assert "South schools" in team_drill
    assert "North roads" not in team_drill
    assert "1 record behind the number" in team_drill

    assert client.get(url, {**params, "directorate": 999999}).status_code == 404
    full = client.get(url, {**params, "directorate": south.pk})  # the page, without htmx
    assert full.status_code == 200
    table = full.content.decode().split('id="dq-board"')[1]
    assert "South schools" in table
    assert "North parks" not in table


def test_a_small_board_lists_every_team_under_its_directorate(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    north, _south, _ = _two_directorates()
    page = client.get(
        reverse("dataquality:dashboard"), {"period": "2025/26 Q1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert page.index("North") < page.index("North parks") < page.index("North roads")
    assert page.index("North roads") < page.index("South") < page.index("South schools")
    assert "Show teams" not in page
    # One directorate: no directorate row, the team rows only.
    one = UserFactory(roles=[Role.DATA_MANAGER], teams=list(north.teams.all()))
    client.force_login(one)
    mine = client.get(
        reverse("dataquality:dashboard"), {"period": "2025/26 Q1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "by team," in mine
    assert "North roads" in mine
    assert "South" not in mine
    assert "font-weight-bold" not in mine


def test_one_directorates_teams_are_all_listed_however_many(client, monkeypatch):
    from dataquality import views

    monkeypatch.setattr(views, "TEAMS_LISTED", 1)
    north, _, _ = _two_directorates()
    manager = UserFactory(roles=[Role.DATA_MANAGER], teams=list(north.teams.all()))
    client.force_login(manager)
    page = client.get(
        reverse("dataquality:dashboard"), {"period": "2025/26 Q1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "North parks" in page
    assert "North roads" in page
    assert "Show teams" not in page


def test_the_default_board_of_a_big_council_is_small(client, monkeypatch):
    """The first view shows the directorates, not every team: its markup does not grow with
    the teams."""
    from dataquality import views

    monkeypatch.setattr(views, "TEAMS_LISTED", 2)
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:dashboard")
    north, _, _ = _two_directorates()
    hx = {"HX-Request": "true"}
    before = len(client.get(url, {"period": "2025/26 Q1"}, headers=hx).content)
    for n in range(10):
        make_indicator(f"MORE {n}", TeamFactory(name=f"North more {n}", directorate=north))
    after = client.get(url, {"period": "2025/26 Q1"}, headers=hx).content
    assert b"North more" not in after
    assert len(after) - before < 100  # the same rows; only some figures have more digits


def test_policy_page_publishes_for_officers_only(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    url = reverse("dataquality:policy")
    client.force_login(enterer)
    assert client.get(url).status_code == 200
    assert b"Publish a new version" not in client.get(url).content
    assert client.post(url, {"text": "x"}).status_code == 403
    client.force_login(officer)
    missing = client.post(
        url,
        {
            "title": "Policy",
            "text": "",
            "effective_on": "2025-04-01",
            "review_due_on": "2025-03-01",
        },
    )
    assert missing.status_code == 400
    assert b"Enter the policy text or attach the policy document" in missing.content
    assert b"The review date must be after the date it takes effect" in missing.content
    ok = client.post(
        url,
        {
            "title": "Policy",
            "text": "Be accurate.",
            "effective_on": "2025-04-01",
            "review_due_on": "2026-04-01",
            "summary": "First",
        },
    )
    assert ok.status_code == 302
    assert PolicyVersion.objects.get().number == 1
    page = client.get(url)
    assert b"version 1" in page.content
    assert b"Be accurate." in page.content


def test_policy_document_is_checked_and_served_as_an_attachment(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(officer)
    url = reverse("dataquality:policy")
    bad = client.post(
        url,
        {
            "title": "P",
            "effective_on": "2025-04-01",
            "review_due_on": "2026-04-01",
            "document": SimpleUploadedFile("policy.pdf", b"not a pdf"),
        },
    )
    assert bad.status_code == 400
    assert b"content is not a PDF" in bad.content
    good = client.post(
        url,
        {
            "title": "P",
            "effective_on": "2025-04-01",
            "review_due_on": "2026-04-01",
            "document": SimpleUploadedFile("policy.pdf", PDF),
        },
    )
    assert good.status_code == 302
    download = client.get(reverse("dataquality:policy-document", args=[1]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_signing_page_signs_in_my_role(client):
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    policy = publish()
    client.force_login(enterer)
    url = reverse("dataquality:sign")
    page = client.get(url)
    assert b"Not signed" in page.content
    assert b"Sign as a data enterer" in page.content
    assert b"Sign as a data manager" not in page.content
    unconfirmed = client.post(url, {"role": "Enterer"})
    assert unconfirmed.status_code == 400
    assert b"Confirm that you have read the policy" in unconfirmed.content
    assert client.post(url, {"role": "Manager", "confirm": "on"}).status_code == 403
    done = client.post(url, {"role": "Enterer", "confirm": "on", "next": "/returns/"})
    assert done.status_code == 302
    assert done["Location"] == "/returns/"
    assert Statement.objects.get(person=enterer).policy == policy
    evil = client.post(url, {"role": "Enterer", "confirm": "on", "next": "//evil.example/"})
    assert evil["Location"] == url


def test_signatures_list_shows_who_has_and_has_not_signed(client):
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER], first_name="Olive")
    signed = UserFactory(roles=[Role.DATA_ENTERER], first_name="Sam")
    UserFactory(roles=[Role.DATA_MANAGER], first_name="Una")
    UserFactory(roles=[Role.MEMBER], first_name="Mel")
    policy = publish()
    Statement.objects.create(
        person=signed,
        policy=policy,
        role="Enterer",
        signed_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
    )
    client.force_login(signed)
    assert client.get(reverse("dataquality:signatures")).status_code == 403
    client.force_login(officer)
    page = client.get(reverse("dataquality:signatures")).content.decode()
    assert "Sam" in page
    assert "Una" in page
    assert "Olive" in page
    assert "Mel" not in page
    assert "2 of 3 people have not signed" in page
    only = client.get(reverse("dataquality:signatures"), {"show": "unsigned"}).content.decode()
    assert "Una" in only
    assert "Sam" not in only


def test_evidence_upload_and_download_with_safe_headers(client, team_value):
    _, enterer, row = team_value
    client.force_login(enterer)
    url = reverse("dataquality:evidence-upload", args=[row.pk])
    response = client.post(url, {"file": SimpleUploadedFile("../../paper.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "paper.pdf"  # the path never reaches storage
    download = client.get(reverse("dataquality:evidence-download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="paper.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    wrong = client.post(url, {"file": SimpleUploadedFile("paper.exe", b"MZ")})
    assert wrong.status_code == 400
    assert b"The file must be a PDF, XLSX, DOCX, CSV, PNG or JPEG file" in wrong.content


def test_evidence_is_a_404_outside_the_values_team(client, team_value):
    _, _enterer, row = team_value
    evidence = Evidence.objects.create(
        value=row,
        file="evidence/x.pdf",
        original_name="x.pdf",
        size=3,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    outsider = UserFactory(roles=[Role.DATA_ENTERER, Role.DATA_MANAGER], teams=[TeamFactory()])
    client.force_login(outsider)
    assert (
        client.get(reverse("dataquality:evidence-download", args=[evidence.pk])).status_code == 404
    )
    assert client.get(reverse("dataquality:evidence-upload", args=[row.pk])).status_code == 404
    assert (
        client.post(
            reverse("dataquality:evidence-upload", args=[row.pk]),
            {"file": SimpleUploadedFile("a.pdf", PDF)},
        ).status_code
        == 404
    )
    member = UserFactory(roles=[Role.MEMBER])
    client.force_login(member)
    assert (
        client.get(reverse("dataquality:evidence-download", args=[evidence.pk])).status_code == 404
    )


def test_pages_need_a_login(client):
    for name in ("dashboard", "policy", "sign", "signatures"):
        response = client.get(reverse(f"dataquality:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_evidence_page_shows_a_drafts_figure_only_to_those_who_may_see_drafts(client):
    team = TeamFactory(name="Waste")
    enterer = UserFactory(username="w_enterer", roles=[Role.DATA_ENTERER], teams=[team])
    head = UserFactory(username="w_head", roles=[Role.SERVICE_MANAGER], teams=[team])
    indicator = make_indicator("WAS 001", team, enterers=[enterer])
    draft = Value.objects.create(
        indicator=indicator, period="2025/26 Q1", period_start=dt.date(2025, 4, 1), value=42
    )
    url = reverse("dataquality:evidence-upload", args=[draft.pk])
    client.force_login(head)
    page = client.get(url).content.decode()
    assert "(draft)" in page
    # The figure nowhere in the page's text (attributes such as the random CSRF token may hold
    # the digits by chance, so they are left out of the check).
    assert not re.search(r"\b42\b", re.sub(r"<[^>]+>", " ", page))
    client.force_login(enterer)
    assert "(draft: 42)" in client.get(url).content.decode()

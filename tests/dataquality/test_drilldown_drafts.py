"""The drill-down's workflow text (issue 14, security item 3).

What an enterer typed before validation refused it, a data manager's reason for a return and the
reason for re-opening an activated value can hold figures not yet activated. The data quality
drill-down shows that text only to those who may see the indicator's drafts (its enterers and
data managers, and performance officers); members, Heads of Service and the team's other readers
get the records counted without it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataquality import selectors
from dataquality.models import RejectedEntry
from performance.common import cache
from performance.core import periods
from performance.core.roles import Role
from performance.models import AuditEvent, Value
from tests.factories import TeamFactory, UserFactory
from tests.performance.collection.test_collection import make_indicator

pytestmark = pytest.mark.django_db

PERIOD = "2025/26 Q1"
RETURN_REASON = "5 is wrong, the real figure is 57"
CORRECT_REASON = "Re-opened: the March figure should be 4242"
REFUSED = "Value must be 100 or less: 5731 is above it"
TEXTS = (RETURN_REASON, CORRECT_REASON, REFUSED, "5731", "4242")


def _event(value: Value, action: str, reason: str) -> None:
    AuditEvent.objects.create(
        action=action,
        actor_name="Mo Manager",
        content_type=ContentType.objects.get_for_model(Value),
        object_id=str(value.pk),
        object_repr=str(value),
        reason=reason,
    )


def _workflow(indicator, *, suffix: str = "") -> Value:
    """A value of `indicator` returned once and corrected once, and a refused entry."""
    value = Value.objects.create(
        indicator=indicator,
        period=PERIOD,
        period_start=periods.parse(PERIOD).start,
        value=Decimal(5),
        status="returned",
    )
    _event(value, "return", RETURN_REASON + suffix)
    _event(value, "correct", CORRECT_REASON + suffix)
    RejectedEntry.objects.create(
        indicator=indicator,
        period=PERIOD,
        period_start=periods.parse(PERIOD).start,
        channel="form",
        field="value",
        rule="percent_range",
        message=REFUSED + suffix,
        raw="5731",
    )
    return value


@pytest.fixture
def waste():
    head = UserFactory(username="w_head", roles=[Role.SERVICE_MANAGER])
    team = TeamFactory(name="Waste", head_of_service=head)
    enterer = UserFactory(username="w_enterer", roles=[Role.DATA_ENTERER], teams=[team])
    manager = UserFactory(username="w_manager", roles=[Role.DATA_MANAGER], teams=[team])
    # Reads the team (a member of it, enters other indicators) but not this indicator's drafts.
    reader = UserFactory(username="w_reader", roles=[Role.DATA_ENTERER], teams=[team])
    member = UserFactory(username="cllr", roles=[Role.MEMBER])
    officer = UserFactory(username="po", roles=[Role.PERFORMANCE_OFFICER])
    indicator = make_indicator("WAS 001", team, enterers=[enterer], managers=[manager])
    _workflow(indicator)
    return {
        "team": team,
        "indicator": indicator,
        "head": head,
        "enterer": enterer,
        "manager": manager,
        "reader": reader,
        "member": member,
        "officer": officer,
    }


def _drill(client, user, measure: str, **extra) -> str:
    client.force_login(user)
    response = client.get(
        reverse("dataquality:dashboard"),
        {"period": PERIOD, "measure": measure, "row": "all", **extra},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="drill"') :]


def test_members_heads_of_service_and_team_readers_get_counts_without_the_text(client, waste):
    for who in ("member", "head", "reader"):
        for measure, words in (
            ("returned", "Returned by a data manager"),
            ("corrections", "Re-opened after activation"),
            ("rejected", "Refused by validation (Form)"),
        ):
            drill = _drill(client, waste[who], measure)
            assert "1 record behind the number" in drill, (who, measure)
            assert "WAS 001" in drill
            assert words in drill
            assert "1 record is counted without" in drill
            for text in TEXTS:
                assert text not in drill, (who, measure, text)
            assert "Mo Manager" not in drill


def test_the_indicators_enterer_manager_and_officers_read_the_text(client, waste):
    for who in ("enterer", "manager", "officer"):
        returned = _drill(client, waste[who], "returned")
        assert f"Mo Manager: {RETURN_REASON}" in returned, who
        assert "counted without" not in returned
        assert f"Mo Manager: {CORRECT_REASON}" in _drill(client, waste[who], "corrections")
        assert REFUSED in _drill(client, waste[who], "rejected")
        # The same records, drilled into by a member straight after, without the text.
        for measure in ("returned", "corrections", "rejected"):
            theirs = _drill(client, waste["member"], measure)
            assert "1 record behind the number" in theirs
            assert not any(text in theirs for text in TEXTS), (who, measure)


def test_the_text_is_shown_per_indicator_whose_drafts_the_reader_sees(client, waste):
    # Another indicator of the same team, which the enterer does not enter.
    other = make_indicator("WAS 002", waste["team"])
    _workflow(other, suffix=" (other)")
    drill = _drill(client, waste["enterer"], "returned")
    assert "2 records behind the number" in drill
    assert f"Mo Manager: {RETURN_REASON} · " in drill  # their own indicator's reason
    assert f"{RETURN_REASON} (other)" not in drill  # not the other's
    assert "1 record is counted without the reason" in drill
    rejected = _drill(client, waste["enterer"], "rejected")
    assert f"{REFUSED} (other)" not in rejected
    assert REFUSED in rejected


def test_a_cached_drill_down_is_not_served_to_a_reader_who_may_not_see_drafts(client, waste):
    # The enterer and the team's other reader read the same teams: the same cached board.
    first = _drill(client, waste["enterer"], "returned")
    assert RETURN_REASON in first
    second = _drill(client, waste["reader"], "returned")
    assert RETURN_REASON not in second
    assert "1 record is counted without the reason" in second
    again = _drill(client, waste["enterer"], "returned")  # and the other way round
    assert RETURN_REASON in again


def test_the_drafts_are_looked_up_once_whatever_the_number_of_indicators(client, waste):
    def queries() -> tuple[int, str]:
        cache.clear()  # a cold board each time: the same queries, and one for the drafts
        with CaptureQueriesContext(connection) as captured:
            drill = _drill(client, waste["enterer"], "returned")
        return len(captured), drill

    queries()  # the first request of a session reads more (the session, content types)
    small, _ = queries()
    for n in range(6):
        mine = make_indicator(f"MINE {n}", waste["team"], enterers=[waste["enterer"]])
        _workflow(mine, suffix=f" (mine {n})")
        theirs = make_indicator(f"THEIRS {n}", waste["team"])
        _workflow(theirs, suffix=f" (theirs {n})")
    large, drill = queries()
    assert large == small
    assert all(f"{RETURN_REASON} (mine {n})" in drill for n in range(6))
    assert not any(f"(theirs {n})" in drill for n in range(6))
    assert "6 records are counted without the reason" in drill


def test_the_selector_shows_no_text_unless_told_whose_drafts_the_reader_sees(waste):
    board = selectors.dashboard(
        user=waste["member"], period=periods.parse(PERIOD), today=dt.date(2025, 8, 15)
    )
    for measure in ("returned", "corrections", "rejected"):
        records = selectors.drill_down(board, measure)
        assert len(records) == 1
        assert records[0]["withheld"]
        assert not any(text in records[0]["detail"] for text in TEXTS)
        assert selectors.drafts_shown(waste["member"], board, measure) == frozenset()
        shown = selectors.drafts_shown(waste["manager"], board, measure)
        assert shown == {waste["indicator"].pk}
        (record,) = selectors.drill_down(board, measure, drafts_of=shown)
        assert not record["withheld"]
        assert any(text in record["detail"] for text in TEXTS)

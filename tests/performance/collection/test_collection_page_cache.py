"""Deadline day (issue 23): the Data collection page is computed once per change of what it reads
and is exact the moment a value is saved, submitted or activated, a person is chased or an
indicator's enterers change; the due item and My returns read the indicator once."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import truncatechars
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from performance.collection import services as collection
from performance.models import SentReminder, Value
from tests.performance.collection.test_collection import enter, make_indicator

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]
PAGE = reverse("performance:round-list")


def _open(body: str) -> str:
    start = body.index('id="open-rounds"')
    return body[start : body.index("</section>", start)]


def _untokened(section: str) -> str:
    """The section without its CSRF tokens (masked afresh on every view)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", section)


def _value_reads(queries) -> int:
    return sum(1 for q in queries if 'FROM "performance_value"' in q["sql"])


def test_the_page_shows_a_submission_an_activation_and_a_chaser_at_once(client, world):
    client.force_login(world.users["officer"])
    before = _open(client.get(PAGE).content.decode())
    assert "4 of 4 items still to submit, owed by 2 people; 0 waiting for activation" in before
    with CaptureQueriesContext(connection) as again:
        assert _untokened(_open(client.get(PAGE).content.decode())) == _untokened(before)
    assert _value_reads(again.captured_queries) == 0  # computed once: served until a change

    value = enter(world, "WAS 001", "96", submit=True)
    after = _open(client.get(PAGE).content.decode())
    assert "3 of 4 items still to submit, owed by 2 people; 1 waiting for activation" in after

    collection.activate(user=world.users["manager_a"], value_id=value.pk, version=value.version)
    assert "3 of 4 items still to submit, owed by 2 people; 0 waiting for activation" in (
        _open(client.get(PAGE).content.decode())
    )

    SentReminder.objects.create(
        person=world.users["enterer_a"],
        kind=SentReminder.Kind.MANUAL_CHASER,
        event_date=dt.date(2025, 7, 4),
        claimed_at=dt.datetime(2025, 7, 4, 9, 30, tzinfo=LONDON),
        sent_at=dt.datetime(2025, 7, 4, 9, 30, tzinfo=LONDON),
    )
    assert "chased today 09:30" in _open(client.get(PAGE).content.decode())


def test_each_view_has_its_own_csrf_token_and_the_chase_still_works(client, world, mailoutbox):
    client.force_login(world.users["officer"])
    client.get(PAGE)
    body = client.get(PAGE).content.decode()
    assert "summit-csrf-placeholder" not in body
    assert 'name="csrfmiddlewaretoken" value="' in _open(body)
    strict = type(client)(enforce_csrf_checks=True)
    strict.force_login(world.users["officer"])
    page = strict.get(PAGE)
    token = _open(page.content.decode()).split('name="csrfmiddlewaretoken" value="')[1]
    token = token.split('"')[0]
    response = strict.post(reverse("performance:round-chase"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert len(mailoutbox) == 2


def test_an_enterer_assigned_shows_at_once(client, world):
    client.force_login(world.users["officer"])
    assert "owed by 2 people" in _open(client.get(PAGE).content.decode())
    world.indicators["WAS 001"].enterers.add(world.users["officer"])  # from the indicator
    assert "owed by 3 people" in _open(client.get(PAGE).content.decode())
    world.users["officer"].entered_indicators.remove(world.indicators["WAS 001"])  # the person
    assert "owed by 2 people" in _open(client.get(PAGE).content.decode())
    world.users["enterer_b"].entered_indicators.clear()
    assert "owed by 1 person" in _open(client.get(PAGE).content.decode())


def test_the_page_queries_do_not_grow_with_the_values(client, world):
    from performance.common import cache

    client.force_login(world.users["officer"])
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for n in range(30):
        indicator = make_indicator(
            f"V {n:03}", world.teams["waste"], enterers=[world.users["enterer_a"]], target=50
        )
        Value.objects.create(
            indicator=indicator,
            period="2025/26 Q1",
            period_start=dt.date(2025, 4, 1),
            value=Decimal(40),
            status="submitted" if n % 2 else "draft",
            entered_by=world.users["enterer_a"],
        )
    cache.clear()
    with CaptureQueriesContext(connection) as many:  # computed afresh, not from the cache
        body = _open(client.get(PAGE).content.decode())
    assert "19 of 34 items still to submit" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_due_item_and_my_returns_read_the_indicator_once(client, world):
    client.force_login(world.users["enterer_a"])
    indicator = world.indicators["WAS 001"]
    url = reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])
    for page, most in ((url, 10), (reverse("performance:my-returns"), 11)):
        with CaptureQueriesContext(connection) as read:
            assert client.get(page).status_code == 200
        indicator_reads = [
            q
            for q in read.captured_queries
            if q["sql"].startswith('SELECT "performance_indicator"')
        ]
        assert len(indicator_reads) == 1, page
        assert len(read.captured_queries) <= most, page


def test_an_item_still_to_submit_is_listed_escaped_and_shortened_as_before(client, world):
    title = "Rent & service charges collected <in full> as a share of everything due this year"
    make_indicator(
        "ZZZ 001", world.teams["waste"], enterers=[world.users["enterer_a"]], title=title
    )
    client.force_login(world.users["officer"])
    body = _open(client.get(PAGE).content.decode())
    shortened = escape(truncatechars(title, 50))  # what the template's filter gave before
    assert shortened.endswith("as a s…")
    assert f'<li>ZZZ 001 {shortened} <span class="returns-muted">(Not started)</span></li>' in body
    assert title not in body


def test_an_enterers_own_teams_are_exact_at_once_too(client, world):
    client.force_login(world.users["enterer_a"])  # Waste only: computed on each view
    assert "3 of 3 items still to submit" in _open(client.get(PAGE).content.decode())
    enter(world, "WAS 002", "80", submit=True, comment="Crews short")
    assert "2 of 3 items still to submit" in _open(client.get(PAGE).content.decode())

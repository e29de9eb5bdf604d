"""Per-indicator pieces (issues 21, 23): after a change only the touched indicators' pieces are
computed again; anything that may touch every indicator recomputes them all."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from performance.common import cache
from performance.core import periods
from performance.models import AuditEvent, Generation, Indicator, Value
from tests import factories

pytestmark = pytest.mark.django_db


def board(names=("indicators",)):
    """A figure assembled from pieces (the value of each indicator's stamp as read), and the
    ids each computation was asked for (None: every indicator)."""
    asked: list[list[int] | None] = []

    def piece(ids):
        asked.append(None if ids is None else sorted(ids))
        chosen = Generation.objects.filter(name__startswith=cache.STAMP)
        stamps = dict(chosen.values_list("name", "token"))
        pool = ids if ids is not None else [i.pk for i in Indicator.objects.all()]
        return {pk: stamps.get(f"{cache.STAMP}{pk}", "0") for pk in pool}

    def read():
        return cache.assembled("k", names, piece, dict)

    return asked, read


@pytest.fixture
def three():
    return [factories.IndicatorFactory(code=f"P {n}") for n in range(3)]


def test_a_value_saved_recomputes_only_its_indicators_piece(three):
    asked, read = board()
    read()
    read()
    assert asked == [None]  # computed once, then from the cache
    factories.ValueFactory(indicator=three[1])
    figure = read()
    assert asked == [None, [three[1].pk]]
    assert figure[three[1].pk] != "0"  # the new stamp, read at once
    assert set(figure) == {i.pk for i in three}


def test_targets_change_points_and_the_indicator_itself_touch_only_their_indicator(three):
    asked, read = board()
    read()
    factories.TargetFactory(indicator=three[0])
    read()
    three[2].title = "Renamed"
    three[2].save()
    read()
    assert asked == [None, [three[0].pk], [three[2].pk]]


def test_an_audit_event_about_a_value_touches_its_indicator_only(three):
    row = factories.ValueFactory(indicator=three[2])
    asked, read = board(["indicators", "dataquality"])  # as the data quality board
    read()
    AuditEvent.objects.create(
        action="return",
        actor_name="manager",
        content_type=ContentType.objects.get_for_model(Value),
        object_id=str(row.pk),
        object_repr=str(row),
    )
    read()
    assert asked == [None, [three[2].pk]]


def test_a_refused_entry_touches_its_indicator_only(three):
    """A figure refused on the form or in an import (kept for the data quality board) moves
    that indicator's stamp, not every indicator's: on deadline day one submission in eight is
    refused before it is corrected, and each made the whole council's pieces stale (issue 23)."""
    from dataquality import services

    asked, read = board(["indicators", "dataquality"])
    read()
    dq = cache.tokens(["dataquality"])
    services.record_rejections(
        indicator=three[1], period="2025/26 Q1", errors={"value": "Enter a number"}, channel="form"
    )
    read()
    assert cache.tokens(["dataquality"]) != dq  # the board's figures are told
    services.record_import_rejections(
        [(three[0], periods.parse("2025/26 Q1"), {"value": "Enter a number"}, {"value": "x"})],
        actor=None,
    )
    read()
    assert asked == [None, [three[1].pk], [three[0].pk]]


def test_a_team_renamed_or_a_bulk_bump_recomputes_every_piece(three):
    asked, read = board()
    read()
    three[0].team.name = "New name"
    three[0].team.save()
    read()
    cache.bump("indicators")  # what a bulk write calls
    read()
    assert asked == [None, None, None]


def test_a_deactivated_or_deleted_indicator_leaves_the_figure():
    kept, gone = factories.IndicatorFactory(code="K"), factories.IndicatorFactory(code="G")
    _, read = board()
    assert set(read()) == {kept.pk, gone.pk}

    def active_only(ids):
        chosen = Indicator.objects.filter(active=True)
        if ids is not None:
            chosen = chosen.filter(pk__in=ids)
        return {i.pk: i.code for i in chosen}

    assert set(cache.assembled("a", ["indicators"], active_only, dict)) == {kept.pk, gone.pk}
    gone.active = False
    gone.save()
    assert set(cache.assembled("a", ["indicators"], active_only, dict)) == {kept.pk}


def test_pieces_older_than_max_age_are_all_computed_again(three, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    asked, read = board()
    read()
    clock[0] += cache.MAX_AGE + 1
    factories.ValueFactory(indicator=three[0])
    read()
    assert asked == [None, None]


def test_a_hit_and_a_miss_each_cost_one_query_besides_the_pieces(three, django_assert_num_queries):
    read = lambda: cache.assembled("q", ["indicators"], lambda ids: {}, dict)  # noqa: E731
    with django_assert_num_queries(1):
        read()
    with django_assert_num_queries(1):
        read()
    factories.ValueFactory(indicator=three[0])
    with django_assert_num_queries(1):
        read()


@pytest.mark.django_db(transaction=True)
def test_stamps_move_when_the_transaction_commits_and_not_when_it_rolls_back():
    indicator = factories.IndicatorFactory()
    name = f"{cache.STAMP}{indicator.pk}"

    def stamp():
        return Generation.objects.filter(name=name).values_list("token", flat=True).first()

    before = stamp()
    with transaction.atomic():
        for _ in range(5):
            indicator.save()
        assert stamp() == before  # not yet: after the commit
        queued = transaction.get_connection().run_on_commit
        assert sum(1 for entry in queued if isinstance(entry[1], cache._Touched)) == 1
    after = stamp()
    assert after != before

    def rolled_back():
        with transaction.atomic():
            indicator.save()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back()
    assert stamp() == after
    tokens = cache.tokens(["indicators"])
    with transaction.atomic():  # a touch after a rolled-back savepoint still moves the stamp
        with pytest.raises(RuntimeError):
            rolled_back()
        indicator.save()
    assert stamp() != after
    assert cache.tokens(["indicators"]) != tokens


def test_another_servers_change_is_seen_through_the_database(three):
    """Stamps live in the database: a write made by another process (here the rows it would
    write, as it would write them) is seen by this one's next read."""
    asked, read = board()
    read()
    cache._write_stamps([three[0].pk], ["indicators"])  # another server's commit
    read()
    assert asked == [None, [three[0].pk]]

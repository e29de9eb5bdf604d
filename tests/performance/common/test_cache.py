"""Cached figures follow their data: a change in any watched model gives a fresh computation."""

from __future__ import annotations

import pytest

from performance.common import cache
from performance.models import Generation
from tests import factories

pytestmark = pytest.mark.django_db


def counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_second_read_comes_from_the_cache_until_the_data_changes():
    calls, compute = counting()
    assert cache.cached("k", ["indicators"], compute) == 1
    assert cache.cached("k", ["indicators"], compute) == 1
    cache.bump("indicators")
    assert cache.cached("k", ["indicators"], compute) == 2
    assert len(calls) == 2


def test_saving_a_watched_model_bumps_its_generation_and_only_its_own():
    before_ind = cache.tokens(["indicators"])
    before_dq = cache.tokens(["dataquality"])
    factories.TeamFactory()
    assert cache.tokens(["indicators"]) != before_ind
    assert cache.tokens(["dataquality"]) == before_dq


def test_deleting_a_watched_model_bumps_its_generation():
    team = factories.TeamFactory()
    before = cache.tokens(["indicators"])
    team.delete()
    assert cache.tokens(["indicators"]) != before


def test_keys_and_generations_are_independent():
    calls, compute = counting()
    cache.cached("a", ["indicators"], compute)
    cache.cached("b", ["indicators"], compute)
    cache.cached("a", ["indicators", "dataquality"], compute)
    assert len(calls) == 3
    cache.bump("dataquality")
    cache.cached("a", ["indicators"], compute)
    assert len(calls) == 3
    cache.cached("a", ["indicators", "dataquality"], compute)
    assert len(calls) == 4


def test_bump_creates_a_missing_generation_row():
    Generation.objects.filter(name="fresh").delete()
    cache.bump("fresh")
    assert Generation.objects.filter(name="fresh").exclude(token="0").exists()


def test_reading_tokens_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        cache.tokens(["indicators", "dataquality"])


def test_the_process_cache_is_bounded():
    for n in range(cache._SIZE + 10):
        cache.cached(f"key{n}", ["indicators"], lambda n=n: n)
    assert len(cache._entries) == cache._SIZE


@pytest.mark.django_db(transaction=True)
def test_a_real_transaction_replaces_the_token_only_when_it_commits():
    from django.db import transaction

    cache.bump("indicators")
    before = cache.tokens(["indicators"])
    with transaction.atomic():
        factories.TeamFactory()
        # No lock is taken on the generation row while the writer's transaction is open.
        assert cache.tokens(["indicators"]) == before
    after = cache.tokens(["indicators"])
    assert after != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_token_alone():
    from django.db import transaction

    cache.bump("indicators")
    before = cache.tokens(["indicators"])

    class Boom(Exception):
        pass

    def write_then_fail():
        with transaction.atomic():
            factories.TeamFactory()
            raise Boom

    with pytest.raises(Boom):
        write_then_fail()
    assert cache.tokens(["indicators"]) == before


@pytest.mark.django_db(transaction=True)
def test_saves_in_a_loop_queue_one_bump():
    from django.db import connection, transaction

    with transaction.atomic():
        for _ in range(20):
            factories.TeamFactory()
        queued = [
            entry for entry in connection.run_on_commit if entry[1] is cache._bumpers["indicators"]
        ]
        assert len(queued) == 1


def test_an_entry_older_than_max_age_is_computed_again(monkeypatch):
    calls, compute = counting()
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    cache.cached("k", ["indicators"], compute)
    clock[0] += cache.MAX_AGE - 1
    cache.cached("k", ["indicators"], compute)
    assert len(calls) == 1
    clock[0] += 2
    cache.cached("k", ["indicators"], compute)
    assert len(calls) == 2


def test_storing_a_figure_drops_the_same_figure_under_older_tokens():
    cache.cached("k", ["indicators"], lambda: "old")
    cache.cached("other", ["indicators"], lambda: "kept")
    cache.bump("indicators")
    assert cache.cached("k", ["indicators"], lambda: "new") == "new"
    keys = [full.split("|")[0] for full in cache._entries]
    assert keys.count("k") == 1  # the old one went at once, not when the LRU reached it
    assert keys.count("other") == 1  # another figure's old entry waits for its own recompute
    assert len(cache._current) == 2


def test_eviction_forgets_the_key_too():
    for n in range(cache._SIZE + 5):
        cache.cached(f"key{n}", ["indicators"], lambda n=n: n)
    assert len(cache._current) == cache._SIZE

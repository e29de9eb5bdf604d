"""The scheduler firing the league table freeze twice (issue 9), through real worker processes.

Beat's `freeze-reach-the-summit` entry is published twice, at the same instant to a worker with
two pool processes (held at a barrier until both have passed the "already frozen?" check, so the
race is real every run), and one after the other: either way exactly one snapshot per quarter,
with the rows a single clean freeze writes, and a second run changes nothing. The harness
(worker processes on real Redis and on the test's database) is in test_worker_kill.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.reliability.test_worker_kill import (
    TODAY,
    _assert_complete_freeze,
    broker_url,  # noqa: F401 (fixture)
    build_league,
    workers,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.django_db(transaction=True)


def _fire(cluster):
    """What beat does at 00:30: publish the entry's task by name (with a fixed date here)."""
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["freeze-reach-the-summit"]
    return app.send_task(
        entry["task"], kwargs={**entry.get("kwargs", {}), "today": TODAY}, queue=cluster.queue
    )


def _snapshot_state(database) -> list[tuple]:
    return database.rows(
        "SELECT s.id, s.quarter, s.frozen_at, r.id, r.team_slug, r.rank, r.score "
        "FROM reach_summit_snapshot s JOIN reach_summit_snapshotrow r ON r.snapshot_id = s.id "
        "ORDER BY s.quarter, r.position"
    )


def test_fired_twice_at_once_freezes_each_quarter_once(workers, tmp_path):  # noqa: F811
    quarters = build_league()
    cluster = workers()
    cluster.database.publish()
    (tmp_path / "barrier-on").touch()
    cluster.start(hooks=["barrier"], concurrency=2)

    first, second = _fire(cluster), _fire(cluster)
    frozen = first.get(timeout=120) + second.get(timeout=120)

    gate = tmp_path / f"barrier-{str(quarters[0]).replace('/', '-').replace(' ', '-')}"
    assert len(list(gate.iterdir())) == 2, "both runs were past the check at the same time"
    assert sorted(frozen) == sorted(str(q) for q in quarters), "each quarter frozen by one run"
    _assert_complete_freeze(cluster.database, quarters)

    # Fired again the next night: nothing to do, nothing changed.
    (tmp_path / "barrier-on").unlink()
    before = _snapshot_state(cluster.database)
    assert _fire(cluster).get(timeout=60) == []
    assert _snapshot_state(cluster.database) == before


def test_fired_twice_in_sequence_freezes_once_and_leaves_the_table_alone(
    workers,  # noqa: F811
):
    quarters = build_league()
    cluster = workers()
    cluster.database.publish()
    cluster.start()

    assert _fire(cluster).get(timeout=120) == [str(q) for q in quarters]
    _assert_complete_freeze(cluster.database, quarters)
    before = _snapshot_state(cluster.database)
    assert _fire(cluster).get(timeout=60) == []
    assert _snapshot_state(cluster.database) == before, "same snapshot, rows and frozen_at"
    _assert_complete_freeze(cluster.database, quarters)

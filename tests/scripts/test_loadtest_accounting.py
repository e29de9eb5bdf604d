"""The deadline-day load test's accounting (scripts/loadtest_accounting.py): pure, no database."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

accounting = load_script("loadtest_accounting")

Claim, Event, Row = accounting.Claim, accounting.Event, accounting.Row


def test_percentiles_are_nearest_rank_samples_never_interpolated():
    ordered = [float(n) for n in range(1, 101)]  # 1..100
    assert accounting.percentile(ordered, 0.95) == 95.0
    assert accounting.percentile(ordered, 0.99) == 99.0
    assert accounting.percentile(ordered, 1.0) == 100.0
    assert accounting.percentile([7.0], 0.99) == 7.0
    # Of 150 samples, p99 is the second largest (rank 149), not a figure between two.
    assert accounting.percentile([float(n) for n in range(150)], 0.99) == 148.0
    with pytest.raises(ValueError, match="no samples"):
        accounting.percentile([], 0.5)


def test_summary_counts_errors_and_expected_refusals_per_kind_in_order_seen():
    samples = [
        accounting.Sample("Submit", 100.0),
        accounting.Sample("Dashboard", 40.0),
        accounting.Sample("Submit", 300.0, accounting.REFUSED),
        accounting.Sample("Submit", 200.0, accounting.ERROR),
        accounting.Sample("Submit", 400.0),
    ]
    submit, dashboard = accounting.summarise(samples)
    assert (submit.kind, submit.count, submit.errors, submit.refused) == ("Submit", 4, 1, 1)
    assert submit.median == 250.0  # between 200 and 300: an even count
    assert (submit.p95, submit.p99, submit.maximum) == (400.0, 400.0, 400.0)
    assert (dashboard.count, dashboard.median, dashboard.errors) == (1, 40.0, 0)


def _row(value_id, status, version, before=0, indicator=1, period="2026-11"):
    return Row(value_id, indicator, period, status, version, before)


def test_every_claim_matched_by_one_event_and_versions_moved_by_events_is_clean():
    claims = [
        Claim("erin", "draft", indicator_id=1, period="2026-11"),
        Claim("erin", "submit", indicator_id=1, period="2026-11"),
        Claim("manjit", "activate", value_id=10),
    ]
    events = [
        Event(1, 10, "erin", "create", "draft"),
        Event(2, 10, "erin", "submit"),
        Event(3, 10, "manjit", "activate"),
    ]
    found = accounting.reconcile(claims=claims, events=events, rows=[_row(10, "activated", 3)])
    assert found.ok, found
    assert (found.claims, found.events, found.values) == (3, 3, 1)


def test_a_success_the_client_saw_without_its_audit_event_is_a_lost_write():
    claims = [Claim("erin", "submit", indicator_id=1, period="2026-11")]
    found = accounting.reconcile(
        claims=claims, events=[Event(1, 10, "erin", "create", "draft")], rows=[_row(10, "draft", 1)]
    )
    assert not found.ok
    assert found.lost == ["erin submit value 10: 1 seen to succeed, 0 in the audit trail"]
    # A claim on a value that does not exist at all is lost too.
    nowhere = accounting.reconcile(
        claims=[Claim("erin", "draft", indicator_id=2, period="2026-11")], events=[], rows=[]
    )
    assert len(nowhere.lost) == 1


def test_two_events_for_one_submission_are_doubled_unless_an_answer_never_came():
    events = [Event(1, 10, "erin", "create", "submitted"), Event(2, 10, "erin", "submit")]
    claim = Claim("erin", "submit", indicator_id=1, period="2026-11")
    doubled = accounting.reconcile(claims=[claim], events=events, rows=[_row(10, "submitted", 2)])
    assert doubled.doubled
    assert not doubled.lost
    timed_out = accounting.reconcile(
        claims=[claim], uncertain=[claim], events=events, rows=[_row(10, "submitted", 2)]
    )
    assert timed_out.ok, timed_out
    # People outside the test (the system) are not held to the clients' claims.
    system = accounting.reconcile(
        claims=[],
        events=[Event(1, 10, "system", "no_data")],
        rows=[_row(10, "no_data", 1)],
        actors={"erin"},
    )
    assert system.ok


def test_two_values_for_one_indicator_and_period_are_a_duplicate():
    rows = [_row(10, "submitted", 1), _row(11, "submitted", 1)]
    events = [
        Event(1, 10, "erin", "create", "submitted"),
        Event(2, 11, "ana", "create", "submitted"),
    ]
    found = accounting.reconcile(claims=[], events=events, rows=rows, actors=set())
    assert found.duplicates == ["indicator 1 2026-11: 2 values (10, 11)"]


def test_a_change_without_its_audit_event_or_a_status_unlike_the_last_event_is_caught():
    # The version moved twice but one event was written: a change went unaudited.
    unaudited = accounting.reconcile(
        claims=[],
        events=[Event(1, 10, "manjit", "activate")],
        rows=[_row(10, "activated", 4, before=2)],
        actors=set(),
    )
    assert unaudited.unaudited == [
        "value 10 (indicator 1 2026-11): version moved by 2, 1 audit event(s)"
    ]
    # The row says submitted, but the last event activated it: the write did not land.
    lost_status = accounting.reconcile(
        claims=[],
        events=[Event(1, 10, "manjit", "activate")],
        rows=[_row(10, "submitted", 3, before=2)],
        actors=set(),
    )
    assert lost_status.inconsistent
    assert not lost_status.unaudited


def test_status_after_an_event_comes_from_its_changes_or_its_action():
    assert accounting.statuses({"status": ["returned", "draft"]}) == "draft"
    assert accounting.statuses({"value": ["1", "2"]}) is None
    assert Event(1, 1, "a", "update").status_after == "draft"
    assert Event(1, 1, "a", "create", "submitted").write == "submit"
    assert Event(1, 1, "a", "create", "draft").write == "draft"
    assert Event(1, 1, "a", "return").write == "return"


def test_the_slowest_requests_come_with_what_was_in_flight_when_they_were_sent():
    samples = [
        accounting.Sample("Submit", 2500.0, at=10.0),  # sent into a queue
        accounting.Sample("Dashboard", 3000.0, at=9.0),  # in flight at 10.0
        accounting.Sample("Save", 1200.0, at=9.5),  # in flight at 10.0
        accounting.Sample("Save", 50.0, at=9.0),  # answered before 10.0
        accounting.Sample("Due item", 20.0, at=30.0),
        accounting.Sample("Submit", 0.0, accounting.ERROR, at=11.0),  # no answer: not timed
    ]
    found = accounting.slowest(samples, {"Submit", "Save"}, count=2)
    assert [(s.kind, s.ms) for s in found] == [("Dashboard", 3000.0), ("Submit", 2500.0)]
    submit = found[1]
    assert (submit.at, submit.in_flight, submit.writes_in_flight) == (10.0, 2, 1)
    assert found[0].in_flight == 1  # the 50 ms save sent at the same moment

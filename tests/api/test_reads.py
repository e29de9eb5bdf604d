"""Reads (SPEC §15): the commands' rows and digits, the pages' access gate, pages of results,
incremental refresh, CSV, ETags."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from benchmarking.models import BenchmarkValue
from performance.common import cache
from performance.core import periods
from performance.models import Indicator, Value
from reach_summit import selectors as league_selectors
from tests.api.conftest import Api, exact, token_for

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _latest_quarter() -> str:
    return (
        Value.objects.filter(status=Value.Status.ACTIVATED, period__contains="Q")
        .latest("period_start")
        .period
    )


def test_status_equals_indicator_status_json_row_for_row(council):
    period = _latest_quarter()
    expected = json.loads(
        _command("indicator_status", "--period", period, "--format", "json"),
        parse_float=Decimal,
    )
    rows = Api(token_for("performance")).walk("/api/v1/status", {"period": period, "page_size": 7})
    assert len(expected) > 7  # the walk really crossed pages
    assert rows == expected
    # Same digits, not only equal numbers: 99.10 would equal 99.1.
    assert [str(r["value"]) for r in rows] == [str(r["value"]) for r in expected]
    assert {"green", "red"} <= {r["status"] for r in rows}


def test_status_gives_an_enterer_only_their_teams_indicators(council):
    period = _latest_quarter()
    rows = Api(token_for("enterer")).walk("/api/v1/status", {"period": period})
    every = {
        r["indicator"]
        for r in Api(token_for("performance")).walk("/api/v1/status", {"period": period})
    }
    enterer = get_user_model().objects.get(username="enterer")
    readable = set(Indicator.objects.readable_by(enterer).values_list("code", flat=True))
    assert rows
    assert {r["indicator"] for r in rows} <= readable
    assert {r["indicator"] for r in rows} < every


def test_status_csv_is_the_commands_csv(council):
    period = _latest_quarter()
    response = Api(token_for("performance")).get(
        "/api/v1/status", {"period": period, "format": "csv", "page_size": 5000}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == _command("indicator_status", "--period", period)


def test_csv_pages_carry_the_next_page_in_a_link_header(council):
    period = _latest_quarter()
    api = Api(token_for("performance"))
    first = api.get("/api/v1/status", {"period": period, "format": "csv", "page_size": 3})
    assert len(list(csv.reader(io.StringIO(first.content.decode())))) == 4  # header + 3
    assert 'rel="next"' in first["Link"]
    assert "page=2" in first["Link"]


def test_league_table_equals_the_command(council):
    quarter = str(league_selectors.default_quarter())
    command = json.loads(_command("league_table", "--quarter", quarter, "--format", "json"))
    rows = Api(token_for("member")).walk("/api/v1/league-table", {"quarter": quarter})
    assert len(rows) == len(command["rows"]) > 0
    for got, want in zip(rows, command["rows"], strict=True):
        assert {k: str(v) for k, v in got.items()} == {k: str(v) for k, v in want.items()}


def test_benchmark_position_equals_the_command(council, settings):
    value = (
        BenchmarkValue.objects.select_related("measure", "authority")
        .filter(authority__code=settings.COUNCIL_CODE)
        .first()
    )
    assert value is not None
    group = value.authority.groups.first()
    args = ["--measure", value.measure.code, "--group", group.name, "--period", value.period]
    command = json.loads(
        _command("benchmark_position", *args, "--format", "json"), parse_float=Decimal
    )
    response = Api(token_for("member")).get(
        "/api/v1/benchmark-position",
        {"measure": value.measure.code, "group": group.name, "period": value.period},
    )
    assert response.status_code == 200
    assert exact(response)["results"] == command
    assert command[0]["rank"] is not None


def test_bad_parameters_are_named(council):
    api = Api(token_for("member"))
    assert exact(api.get("/api/v1/status")) == {"period": ["is required, e.g. 2025/26 Q2"]}
    response = api.get("/api/v1/status", {"period": "2025/26 Q9"})
    assert response.status_code == 400
    assert "period" in exact(response)
    response = api.get("/api/v1/league-table", {"quarter": "next year"})
    assert response.status_code == 400
    assert "quarter" in exact(response)
    response = api.get(
        "/api/v1/benchmark-position", {"measure": "X", "group": "Y", "period": "2024/25"}
    )
    assert response.status_code == 400
    assert exact(response) == {"measure": ["no benchmark measure has the code 'X'"]}
    response = api.get("/api/v1/indicators", {"page_size": "lots"})
    assert exact(response) == {"page_size": ["must be a whole number"]}
    response = api.get("/api/v1/values", {"changed_since": "yesterday"})
    assert response.status_code == 400
    assert "changed_since" in exact(response)


def test_values_are_activated_only_and_readable_only(council):
    enterer = get_user_model().objects.get(username="enterer")
    rows = Api(token_for("enterer")).walk("/api/v1/values", {"page_size": 1000})
    expected = set(
        Value.objects.readable_by(enterer)
        .filter(activated_at__isnull=False)
        .values_list("indicator__code", "period")
    )
    assert {(r["indicator"], r["period"]) for r in rows} == expected
    assert len(rows) == len(expected)
    drafts = Value.objects.exclude(status=Value.Status.ACTIVATED).values_list(
        "indicator__code", "period"
    )
    assert drafts.exists()
    assert not set(drafts) & {(r["indicator"], r["period"]) for r in rows}
    # Stable order: oldest activation first, and the walk repeats nothing.
    stamps = [r["activated_at"] for r in rows]
    assert stamps == sorted(stamps)


def test_values_changed_since_gives_only_what_was_activated_after(council):
    api = Api(token_for("performance"))
    value = Value.objects.filter(status=Value.Status.ACTIVATED).order_by("-activated_at").first()
    later = timezone.now()
    Value.objects.filter(pk=value.pk).update(activated_at=later)
    rows = api.walk("/api/v1/values", {"changed_since": later.isoformat()})
    assert [(r["indicator"], r["period"]) for r in rows] == [(value.indicator.code, value.period)]
    entered = Value.objects.get(pk=value.pk).value
    assert Decimal(str(rows[0]["value"])) == entered


def test_values_of_one_indicator_and_an_unreadable_one(council):
    enterer = get_user_model().objects.get(username="enterer")
    mine = Indicator.objects.readable_by(enterer).first()
    other = Indicator.objects.exclude(pk__in=Indicator.objects.readable_by(enterer)).first()
    api = Api(token_for("enterer"))
    rows = api.walk("/api/v1/values", {"indicator": mine.code})
    assert rows
    assert {r["indicator"] for r in rows} == {mine.code}
    assert api.get("/api/v1/values", {"indicator": other.code}).status_code == 404


def test_keyset_walk_neither_repeats_nor_skips_when_values_are_activated_during_it(council):
    api = Api(token_for("performance"))
    first = exact(api.get("/api/v1/values", {"page_size": 50}))
    # A value activated after the walk began goes to the end; the walk still sees every row once.
    moved = Value.objects.filter(status=Value.Status.ACTIVATED).order_by("activated_at").first()
    Value.objects.filter(pk=moved.pk).update(activated_at=timezone.now())
    rows = list(first["results"])
    url = first["next"]
    while url:
        body = exact(api.client.get(url, headers=api.headers()))
        rows.extend(body["results"])
        url = body["next"]
    keys = [(r["indicator"], r["period"]) for r in rows]
    assert len(keys) == len(set(keys)) + (
        1
        if (moved.indicator.code, moved.period)
        in {(r["indicator"], r["period"]) for r in first["results"]}
        else 0
    )
    assert set(keys) == set(
        Value.objects.filter(activated_at__isnull=False).values_list("indicator__code", "period")
    )


def test_etag_answers_304_until_something_changes(council):
    api = Api(token_for("performance"))
    period = _latest_quarter()
    first = api.get("/api/v1/status", {"period": period})
    tag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = api.get("/api/v1/status", {"period": period}, **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    value = Value.objects.filter(period=period, status=Value.Status.ACTIVATED).first()
    Value.objects.filter(pk=value.pk).update(value=value.value + 1)
    cache.clear()  # a bulk update fires no signal; the services bump the generations
    changed = api.get("/api/v1/status", {"period": period}, **{"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed["ETag"] != tag


def test_indicators_lists_the_readable_ones_by_code(council):
    rows = Api(token_for("head")).walk("/api/v1/indicators")
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    head = get_user_model().objects.get(username="head")
    assert set(codes) == set(Indicator.objects.readable_by(head).values_list("code", flat=True))


def test_schema_is_openapi_3_and_names_every_endpoint(council):
    response = Api(None).get("/api/v1/schema", {"format": "json"})
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/indicators",
        "/api/v1/status",
        "/api/v1/values",
        "/api/v1/league-table",
        "/api/v1/benchmark-position",
    } <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/v1/values"]


def test_period_label_is_parsed_like_the_command(council):
    period = periods.parse(_latest_quarter())
    api = Api(token_for("performance"))
    assert api.walk("/api/v1/status", {"period": str(period)})


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers(council):
    indicator = Indicator.objects.order_by("code").first()
    Indicator.objects.filter(pk=indicator.pk).update(title='=HYPERLINK("http://evil.example")')
    response = Api(token_for("performance")).get(
        "/api/v1/indicators", {"format": "csv", "page_size": 5000}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r["code"] == indicator.code)
    assert row["title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["decimals"] == str(indicator.decimals)


def test_a_change_saved_shows_on_the_very_next_status_request(council):
    """The rows are shared per change of the "indicators" generation: a save bumps it."""
    period = _latest_quarter()
    api = Api(token_for("performance"))
    before = {r["indicator"]: r for r in api.walk("/api/v1/status", {"period": period})}
    value = (
        Value.objects.filter(period=period, status=Value.Status.ACTIVATED, numerator=None)
        .select_related("indicator")
        .first()
    )
    value.value = value.value + 7
    value.save()
    after = {r["indicator"]: r for r in api.walk("/api/v1/status", {"period": period})}
    code = value.indicator.code
    assert after[code]["value"] != before[code]["value"]
    assert Decimal(str(after[code]["value"])) == round(value.value, value.indicator.decimals)


def test_changed_since_with_any_valid_offset_is_compared_in_utc(council):
    """Found by Schemathesis on PostgreSQL, which refuses offsets beyond ±15:59: a 500."""
    api = Api(token_for("performance"))
    response = api.get("/api/v1/values", {"changed_since": "0207-05-09T07:36:15.56171-23:46"})
    assert response.status_code == 200
    assert exact(response)["results"]
    cursor = api.get("/api/v1/values", {"cursor": "2026-01-01T00:00:00-23:46~5"})
    assert cursor.status_code == 200
    bad = api.get("/api/v1/values", {"cursor": "2026-01-01T00:00:00~x"})
    assert exact(bad) == {"cursor": ["is not one this API gave; start again without it"]}

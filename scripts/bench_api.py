"""The API's part of `make bench` (issue 16): the status endpoint for a quarter at the stress scale
(first page cold and warm, a 304 revalidation, the whole walk) over HTTP against gunicorn, and a
1,000-value POST through the full view stack in-process (rolled back, so the bench database stays
as seeded). Imported by scripts/bench.py after django.setup().
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def _token() -> tuple[Any, str]:
    from django.contrib.auth import get_user_model

    from performance.api import services

    officer = get_user_model().objects.get(username="performance")
    return services.create_token(
        user=officer, name="make bench", days=1, can_write=True, actor=None
    )


def _get(url: str, secret: str, etag: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    if etag:
        request.add_header("If-None-Match", etag)
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def reads(base: str) -> list[tuple[str, Callable[[], str]]]:
    """(label, work) pairs for the bench's `timed`; each work returns its detail text."""
    from django.utils import timezone

    from performance.core import periods

    token, secret = _token()
    quarter = periods.quarter_of(timezone.localdate()).previous()
    first_url = f"{base}/api/v1/status?" + urllib.parse.urlencode({"period": str(quarter)})
    seen: dict[str, Any] = {}

    def first_page() -> str:
        status, body, headers = _get(first_url, secret)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        seen["etag"] = headers.get("ETag")
        rows = len(json.loads(body)["results"])
        return f"{quarter}, {rows} rows, {len(body) // 1024} KB (first request)"

    def warm() -> str:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            status, _, _ = _get(first_url, secret)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
        return f"median of 5: {statistics.median(samples):.0f} ms"

    def revalidate() -> str:
        status, _body, _ = _get(first_url, secret, seen.get("etag"))
        if status != 304:
            raise RuntimeError(f"expected 304, got HTTP {status}")
        return "304 Not Modified, empty body"

    def walk() -> str:
        url: str | None = first_url + "&page_size=100"
        rows = pages = 0
        while url:
            status, body, _ = _get(url, secret)
            if status != 200:
                raise RuntimeError(f"HTTP {status} on page {pages + 1}")
            data = json.loads(body)
            rows += len(data["results"])
            pages += 1
            url = data["next"]
        return f"{rows} rows in {pages} pages of 100"

    def finish() -> str:
        token.delete()
        return ""

    return [
        ("API status, one quarter: first page (500 rows)", first_page),
        ("API status, first page again (warm)", warm),
        ("API status, revalidation with If-None-Match", revalidate),
        ("API status, the whole walk", walk),
        ("", finish),
    ]


def post_1000() -> str:
    """A 1,000-value POST by the performance officer, as drafts, through the whole view stack."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from performance.collection import due
    from performance.collection.rules import is_ratio
    from performance.models import Indicator

    officer = get_user_model().objects.get(username="performance")
    # Set-up, inside the caller's rollback and not timed: the officer enters every indicator,
    # so one person has a thousand values due in the open rounds (as a housing system might).
    through = Indicator.enterers.through
    through.objects.bulk_create(
        [
            through(indicator_id=pk, user_id=officer.pk)
            for pk in Indicator.objects.exclude(enterers=officer).values_list("pk", flat=True)
        ],
        batch_size=1000,
    )
    items = [
        item
        for item in due.due_items(due.open_rounds(), enterer=officer, history=0)
        if item.editable
    ][:1000]
    if not items:
        raise RuntimeError("nothing is due in an open round")
    values = []
    for item in items:
        entry: dict[str, Any] = {
            "indicator": item.indicator.code,
            "period": item.period,
            "version": item.value.version if item.value else 0,
            "comment": "make bench",
        }
        if is_ratio(item.indicator):
            entry.update(numerator=45, denominator=50)
        else:
            entry["value"] = Decimal(50) if item.indicator.unit == "percent" else 12
        values.append(entry)
    _, secret = _token()
    body = json.dumps({"submit": False, "values": values}, default=str)
    started = time.perf_counter()
    response = Client().post(
        "/api/v1/values",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
    return (
        f"{len(values)} values saved as drafts in {seconds:.2f} s ({json.loads(response.content)})"
    )

"""The dashboard, My returns and the Data collection page show the same days left for the same
window (issue 14): the one count of `core.deadlines.days_left`, either side of midnight."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.performance.collection.test_collection import build_world

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def counts(body: str) -> set[str]:
    """Every count of days the page shows ("3 days left", and the older "2 days, 14 hours" or
    "3 days and 2 hours" forms too, so a page counting differently shows up as a mismatch)."""
    found = re.finditer(
        r"(\d+)\s+days?(?:\s+left|,|\s+and)|closes\s+today", body, flags=re.IGNORECASE
    )
    return {f"{m.group(1)} days" if m.group(1) else "closes today" for m in found}


@pytest.mark.parametrize(
    ("hour", "minute", "day", "expected"),
    [(23, 59, 7, "3 days"), (0, 1, 8, "2 days"), (12, 0, 10, "closes today")],
)
def test_dashboard_my_returns_and_rounds_agree_on_the_days_left(
    client, hour, minute, day, expected
):
    with time_machine.travel(dt.datetime(2025, 7, 1, 9, 0, tzinfo=LONDON), tick=False):
        world = build_world()  # both rounds open 1 July and close at the end of 10 July
    client.force_login(world.users["enterer_a"])
    with time_machine.travel(dt.datetime(2025, 7, day, hour, minute, tzinfo=LONDON), tick=False):
        home = client.get(reverse("home")).content.decode()
        mine = client.get(reverse("performance:my-returns")).content.decode()
        rounds = client.get(reverse("performance:round-list")).content.decode()
    assert counts(home) == counts(mine) == counts(rounds) == {expected}
    if expected != "closes today":
        assert f"({expected} left)" in home
        assert f"{expected} left: closes at the end of Thursday 10 July 2025" in mine

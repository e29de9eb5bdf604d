"""Issue 19 (wrong facts): an item without a target says "No target", never "Target None"."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.performance.collection.test_collection import build_world, make_indicator

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def test_an_item_without_a_target_says_no_target(client):
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        world = build_world()
        user = world.users["enterer_a"]
        make_indicator("BARE 001", world.teams["waste"], enterers=[user])
        client.force_login(user)
        body = client.get(reverse("performance:my-returns")).content.decode()
    item = body[body.index("BARE 001") :]
    target = re.search(r"<dt>Target</dt><dd>([^<]*)</dd>", item)
    assert target is not None
    assert target.group(1) == "No target"
    assert "<dt>Target</dt><dd>None</dd>" not in body

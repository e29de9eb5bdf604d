"""Fixtures shared by the collection tests: a day inside the Q1 2025/26 collection window, and
the small council of `test_collection.build_world`."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.performance.collection.test_collection import build_world

IN_THE_WINDOW = dt.datetime(2025, 7, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture
def in_the_window():
    """The clock stopped on 4 July 2025, 10:00 in London: the Q1 round is open. A module uses
    it with `pytest.mark.usefixtures("in_the_window")`."""
    with time_machine.travel(IN_THE_WINDOW, tick=False):
        yield


@pytest.fixture
def world():
    return build_world()

"""Issue 22: the HTML reminder emails have a heading structure (one h1, the subject, then an h2
per round), tables with column and row header cells, and links that say where they go."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html.parser import HTMLParser

import pytest
from django.core import mail

from tests.performance.collection import test_owner_reminders as owners

# The owner-reminder tests' world (rounds, enterers, plan-item owners) and helpers.
world = owners.world
emails_to, run = owners.emails_to, owners.run

pytestmark = pytest.mark.django_db

VAGUE = {"click here", "here", "this link", "link", "more", "read more"}


class Outline(HTMLParser):
    """Headings, table cells and link texts of an HTML email."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.cells: list[tuple[str, str | None]] = []  # (tag, scope) per row's first cell
        self.links: list[str] = []
        self._open: list[str] = []
        self._text = ""
        self._first_in_row = False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]|a", tag):
            self._open.append(tag)
            self._text = ""
        if tag == "tr":
            self._first_in_row = True
        elif tag in ("td", "th") and self._first_in_row:
            self.cells.append((tag, dict(attrs).get("scope")))
            self._first_in_row = False

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
            if tag == "a":
                self.links.append(" ".join(self._text.split()))
            else:
                self.headings.append((int(tag[1]), " ".join(self._text.split())))

    def handle_data(self, data):
        if self._open:
            self._text += data


def test_reminder_emails_have_headings_header_cells_and_descriptive_links(world):
    u = world.users
    run(dt.date(2025, 7, 1))
    messages = [m for m in mail.outbox if m.alternatives]
    assert messages
    for message in messages:
        html = message.alternatives[0][0]
        outline = Outline()
        outline.feed(html)
        levels = [level for level, _ in outline.headings]
        assert levels.count(1) == 1, outline.headings
        assert levels[0] == 1, outline.headings
        assert outline.headings[0][1] == message.subject
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
        # Header row (scope col) then one row header (scope row) per data row.
        assert outline.cells
        assert outline.cells[0] == ("th", "col")
        assert all(cell in (("th", "col"), ("th", "row")) for cell in outline.cells)
        assert outline.links
        for text in outline.links:
            assert text, outline.links
            assert text.lower() not in VAGUE, text
    assert emails_to(u["enterer_a"].username)

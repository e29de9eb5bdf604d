"""A report's print HTML cut into a front and parts of about equal weight (issue 21).

The print templates mark where a report may be cut (HTML comments, print only): where the
article's matter begins (the cover), each section, each table or spotlight within a section
(a "piece"), the back matter (about this report, the glossary) and its end. The front (cover,
purpose, contents) is laid out by the process that joins the parts, since its contents list
needs every part's page numbers; the sections are shared out between the parts by their
elements and text (`weight`), a long section cut between two of its pieces (the part after the cut goes on with
the section, without its heading). Each part is a whole HTML document: the report's head and
wrappers, the running header's texts (the cover that sets them is in the front only), and an
empty anchor for each link to an anchor held by another part, so the link is kept; the join
then points it at the part that holds the anchor. Pure: text in, text out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

BEGIN = "<!--summit:begin-->"
SECTION = "<!--summit:section-->"
PIECE = "<!--summit:piece-->"
BACK = "<!--summit:back-->"
END = "<!--summit:end-->"

CONTINUED = '<section class="report-section report-section--continued">'

_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'\shref="#([^"]+)"')
_CONTENTS_LINK = re.compile(r'(<a class="govuk-link" href="#([^"]+)")(>)')
# What laying a part out costs, roughly, in elements (council MT PDF, timed per part: about
# 1.5 ms of layout an element, tables and spotlights alike; text adds less, a line break per
# 40 characters). A chart's bytes are in its data URL and cost nothing to lay out but the
# parsing of its SVG, counted as 10 elements. Drawing (a chart's text is drawn letter by letter)
# is not weighed: the parts wait for each other once paginated, so the parts' layouts are what
# must end together.
_DATA_URL = re.compile(r'"data:[^"]*"')
_ELEMENT = re.compile(r"<[a-zA-Z]")
_TAG = re.compile(r"<[^>]*>")
CHART_WEIGHT = 10
TEXT_PER_ELEMENT = 40


@dataclass(frozen=True)
class Split:
    front: str  # the front as a whole document, its contents list numbered by `numbered_front`
    parts: list[str]  # each part as a whole document
    anchors: frozenset[str]  # the anchors the front points at (all held by the parts)
    placeholders: list[frozenset[str]]  # per part: anchors it only points at


def css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def weight(html: str) -> int:
    """How much laying `html` out costs, roughly, in elements: each element, a chart as
    `CHART_WEIGHT` more, and `TEXT_PER_ELEMENT` characters of text as one."""
    plain, charts = _DATA_URL.subn('""', html)
    text = len(_TAG.sub("", plain))
    return len(_ELEMENT.findall(plain)) + charts * CHART_WEIGHT + text // TEXT_PER_ELEMENT


@dataclass(frozen=True)
class _Unit:
    html: str
    head: bool  # the start of a section (its tag, heading and paragraphs)
    last: bool  # the end of a section (holds its closing tag)


def _units(matter: str) -> list[_Unit]:
    units = []
    for section in matter.split(SECTION)[1:]:
        pieces = section.split(PIECE)
        for number, piece in enumerate(pieces):
            units.append(_Unit(html=piece, head=number == 0, last=number == len(pieces) - 1))
    return units


def _cuts(weights: list[int], parts: int, heads: list[bool]) -> list[int]:
    """Where to cut a list of weights into `parts` runs of about equal sums (indexes where a run
    starts, after the first); a run is never empty, and never ends with a section's heading
    (`heads`): the cut moves before the heading instead."""
    total = sum(weights)
    cuts: list[int] = []
    running = 0
    for index, item in enumerate(weights):
        wanted = total * (len(cuts) + 1) / parts
        if index and len(cuts) < parts - 1 and running + item / 2 > wanted:
            at = index - 1 if heads[index - 1] else index
            if at and (not cuts or at > cuts[-1]):
                cuts.append(at)
        running += item
    return cuts


def _with_placeholders(document: str, before: str) -> tuple[str, frozenset[str]]:
    """`document` with an empty anchor (before `before`) for each link to an id it lacks."""
    missing = frozenset(_HREF.findall(document)) - frozenset(_ID.findall(document))
    if not missing:
        return document, frozenset()
    spans = "".join(f'<span id="{name}"></span>' for name in sorted(missing))
    at = document.rindex(before)
    return document[:at] + spans + document[at:], missing


def split(html: str, parts: int, running: dict[str, str]) -> Split | None:
    """`html` cut into a front and up to `parts` parts, or None when the template has no marks
    or too little to share (fewer pieces than parts, or one piece outweighing the rest). `running` holds the running header's
    texts by name (council, committee, title, status, date)."""
    marks = [html.find(mark) for mark in (BEGIN, SECTION, BACK, END)]
    if parts < 2 or -1 in marks or marks != sorted(marks):
        return None
    begin, first, back, end = marks
    opening, closing = html[:begin], html[end:]
    units = _units(html[first:back])
    if len(units) < parts:
        return None
    strings = ", ".join(f"{name} {css_string(text)}" for name, text in running.items())
    part_opening = opening.replace(
        "</head>", f"<style>html {{ string-set: {strings}; }}</style></head>", 1
    )
    cuts = _cuts([weight(unit.html) for unit in units], parts, [unit.head for unit in units])
    if not cuts:
        return None
    bounds = [0, *cuts, len(units)]
    documents = []
    for start, stop in itertools.pairwise(bounds):
        run = units[start:stop]
        body = "" if run[0].head else CONTINUED
        body += "".join(unit.html for unit in run)
        if not run[-1].last:
            body += "</section>"
        if stop == len(units):
            body += html[back:end]
        documents.append(part_opening + body + closing)
    front, anchors = _with_placeholders(opening + html[begin:first] + closing, END)
    placed = [_with_placeholders(document, END) for document in documents]
    return Split(
        front=front,
        parts=[document for document, _ in placed],
        anchors=anchors,
        placeholders=[missing for _, missing in placed],
    )


def numbered_front(front: str, numbers: dict[str, int]) -> str:
    """The front with each contents entry pointing into a part given its page number (printed
    by print.css from `data-page`)."""

    def number(match: re.Match[str]) -> str:
        page = numbers.get(match.group(2))
        if page is None:
            return match.group(0)
        return f'{match.group(1)} data-page="{page}"{match.group(3)}'

    return _CONTENTS_LINK.sub(number, front)

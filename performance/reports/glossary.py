"""The glossary page at the end of every report (issue 19): the terms of the help glossary
(`performance.help.glossary`, the one source: the handbook's Jargon Buster and the SPC terms)
that the report uses, in the glossary's own words.

A term is used when the report's words (titles, paragraphs, decisions, tables, charts,
spotlights, notes) name it: its name, each part of a name like "Basecamp, Firstbase, Summit", an
abbreviation in brackets ("DoT"), or one of the forms below ("activated" for Activation). Whole
words, a plural allowed; an abbreviation matches its capitals only ("PI" is not "pi").
Every report's "About" text names status words and direction of travel, so RAG and Direction
of Travel are always in; a report that uses SPC gets every SPC term, since reading one SPC term
needs the others.

Worked out when the page or PDF is drawn, not stored in a published snapshot: a snapshot
published before the glossary existed gets one too, and the meanings are today's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from performance.help.glossary import TERMS
from performance.reports.data import Report, cell_text

# Other forms of a term that a report writes (the term's own name always counts).
FORMS: dict[str, tuple[str, ...]] = {
    "Activation": ("activated", "activation"),
    "Common cause variation": ("common cause", "common-cause"),
    "Special cause variation": ("special cause", "special-cause"),
    "PI": ("KPI", "SPI", "performance indicator"),
    "RAG": ("Red", "Amber", "Green"),
    "Statistical process control (SPC)": ("XmR", "run chart"),
    "Direction of Travel (DoT)": ("improving", "deteriorating"),
    "Cumulative Data": ("cumulative",),
}
# Terms found by these forms only, not by their name: "assurance" alone is a risk control's or
# data quality's, not the SPC reading.
ONLY_FORMS: dict[str, tuple[str, ...]] = {
    "Assurance (SPC)": ("SPC assurance", "Assurance (SPC)"),
}
# Always in: the "About this report" text of every report names them.
ALWAYS = ("RAG", "Direction of Travel (DoT)")
# Terms that come together: one in, all in.
FAMILIES: tuple[tuple[str, ...], ...] = (
    (
        "Statistical process control (SPC)",
        "Common cause variation",
        "Special cause variation",
        "Process limits",
        "Assurance (SPC)",
    ),
)


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    meaning: str
    source: str  # "handbook" (the Jargon Buster's words) or "summit"


def _pattern(needle: str) -> str:
    body = re.escape(needle).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+")
    return rf"\b{body}(?:s|es)?\b"


@cache
def _matchers() -> dict[str, tuple[re.Pattern[str], ...]]:
    """Each term's patterns: case-insensitive words, case-sensitive abbreviations."""
    found: dict[str, tuple[re.Pattern[str], ...]] = {}
    for term, _meaning, _source in TERMS:
        needles = [*FORMS.get(term, ())]
        name, _, bracket = term.partition(" (")
        needles += [part.strip() for part in name.split(",")]
        if bracket:
            needles.append(bracket.rstrip(")"))
        if term in ONLY_FORMS:
            needles = list(ONLY_FORMS[term])
        patterns = []
        for needle in needles:
            exact = needle.isupper() or (any(c.isupper() for c in needle[1:]) and " " not in needle)
            colour = needle in ("Red", "Amber", "Green")
            flags = 0 if exact or colour else re.IGNORECASE
            patterns.append(re.compile(_pattern(needle), flags))
        found[term] = tuple(patterns)
    return found


def _words(report: Report) -> Iterator[str]:
    yield report.title
    yield from report.summary
    yield from report.notes
    for section in report.shown_sections:
        yield section.title
        yield from section.paragraphs
        yield from section.items
        for table in section.tables:
            yield table.caption
            yield table.note
            for column in table.columns:
                yield column.label
            for row in table.rows:
                for column in table.columns:
                    yield cell_text(column, row)
        for chart in section.charts:
            yield chart.title
            yield chart.alt
        for spot in section.spotlights:
            yield from (spot.title, spot.variation, spot.comment, spot.plan_title)
            yield from spot.questions
            if spot.chart:
                yield spot.chart.alt


def used_terms(report: Report) -> list[Term]:
    """The glossary's terms the report uses, in the glossary's order."""
    text = "\n".join(word for word in _words(report) if word)
    used = {
        term
        for term, patterns in _matchers().items()
        if any(pattern.search(text) for pattern in patterns)
    }
    used |= set(ALWAYS)
    for family in FAMILIES:
        if used & set(family):
            used |= set(family)
    return [Term(*entry) for entry in TERMS if entry[0] in used]


def all_terms() -> list[Term]:
    return [Term(*entry) for entry in TERMS]

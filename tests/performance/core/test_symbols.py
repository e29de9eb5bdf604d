"""The one visual language (issue 19): every concept has its own shapes, every colour reads on
white, and no template writes a registry shape except through the `symbols` tag library."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from performance.core import calculations, spc, symbols

ROOT = Path(__file__).resolve().parents[3]

# Registry characters that are also ordinary typography (a question mark, an en dash in
# "2024–25", an ellipsis, an arrow in prose, letters): the template scan cannot tell them from
# a status, so it looks for the other shapes only. They are still unique across concepts.
TYPOGRAPHY = frozenset("?–…→PFH")


def _shared_shapes(concepts) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for concept in concepts:
        for symbol in concept.symbols:
            if symbol.char:
                owners[symbol.char].add(concept.key)
    return {char: keys for char, keys in owners.items() if len(keys) > 1}


def test_no_shape_is_used_by_two_concepts():
    assert _shared_shapes(symbols.CONCEPTS) == {}


def test_no_shape_is_used_twice_within_a_concept():
    for concept in symbols.CONCEPTS:
        chars = [symbol.char for symbol in concept.symbols if symbol.char]
        assert len(chars) == len(set(chars)), concept.key


def test_the_check_finds_a_shape_shared_by_two_concepts():
    """The uniqueness check itself fails when a concept reuses another's shape (▲ was Firstbase
    on the dashboard and Summit on the league table)."""
    clash = symbols._family(
        "league", "League", "", ("summit", "▲", "Summit", "Summit", "green", "")
    )
    assert _shared_shapes((*symbols.CONCEPTS, clash)) == {"▲": {"status", "league"}}


@pytest.mark.parametrize("symbol", symbols.every_symbol(), ids=lambda s: f"{s.concept}-{s.key}")
def test_every_colour_reads_as_text_on_white(symbol):
    assert symbol.colour in symbols.PALETTE
    assert symbols.contrast(symbol.hex) >= symbols.TEXT_CONTRAST


def test_contrast_is_the_wcag_ratio():
    assert symbols.contrast("#000000") == pytest.approx(21)
    assert symbols.contrast("#ffffff") == pytest.approx(1)
    # GOV.UK yellow and orange, the handbook's Firstbase colours, fail for text on white.
    assert symbols.contrast("#ffdd00") < symbols.GRAPHIC_CONTRAST
    assert symbols.contrast("#f47738") < symbols.TEXT_CONTRAST


def test_every_palette_colour_passes():
    for name, hex_colour in symbols.PALETTE.items():
        assert symbols.contrast(hex_colour) >= symbols.TEXT_CONTRAST, name


def test_the_concepts_the_issue_names_are_all_there():
    keys = {concept.key for concept in symbols.CONCEPTS}
    assert {
        "status",
        "direction",
        "variation",
        "assurance",
        "quartile",
        "risk",
        "task",
        "award",
    } <= keys
    assert [s.key for s in symbols.concept("risk").symbols] == [
        "low",
        "medium",
        "high",
        "very_high",
    ]
    assert {"due", "returned", "overdue", "done"} <= {
        s.key for s in symbols.concept("task").symbols
    }


def test_every_reading_of_the_core_has_a_symbol():
    for level in calculations.Level:
        assert symbols.get("status", level).word
    for direction in calculations.Direction:
        assert symbols.get("direction", direction).word
    for variation in spc.Variation:
        assert symbols.get("variation", variation).word == variation.label
    for assurance in spc.Assurance:
        assert symbols.get("assurance", assurance).word == assurance.label


def test_reach_the_summit_levels_are_the_status_levels():
    assert symbols.get("status", "summit") is symbols.get("status", "green")
    assert symbols.get("status", calculations.Level.FIRSTBASE).char == "▲"
    assert symbols.get("status", "basecamp").word == "Basecamp (Red)"


def test_an_unknown_key_is_named():
    with pytest.raises(KeyError, match="'purple' in concept 'status'"):
        symbols.get("status", "purple")


def test_the_stylesheet_colours_every_shape_as_the_registry_says():
    css = (ROOT / "static/css/summit.css").read_text()
    for symbol in symbols.every_symbol():
        if symbol.char:
            assert f".{symbol.css} {{ color: {symbol.hex}; }}" in css, symbol.css


def _raw_shapes(text: str) -> set[str]:
    shapes = symbols.shapes() - TYPOGRAPHY
    return {char for char in text if char in shapes}


def test_no_template_writes_a_registry_shape():
    found = {}
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in {".html", ".txt", ".css"}:
            raw = _raw_shapes(path.read_text())
            if raw:
                found[str(path.relative_to(ROOT))] = "".join(sorted(raw))
    assert found == {}


def test_the_scan_finds_a_literal_shape():
    assert _raw_shapes('<span aria-hidden="true">◆</span> ▲ Summit') == {"▲"}
    assert _raw_shapes('{% symbol_char "status" "summit" %} 2024–25?') == set()


def test_python_label_tables_take_their_shapes_from_the_registry():
    """The old contradictory tables (! for Amber in the PDFs and the queue, ★ for improving
    SPC, ◆/▼ in benchmarking) read the registry now."""
    from benchmarking.templatetags import benchmarking
    from performance.collection.views import common
    from performance.indicators import presentation
    from performance.reports import data
    from performance.reports.selectors import statuses

    amber = symbols.char("status", "amber")
    assert data.STATUS_WORDS["amber"] == (amber, "Amber")
    assert statuses.STATUS_BARS["amber"][0] == f"{amber} Amber"
    assert common.LEVEL_ICONS[calculations.Level.FIRSTBASE] == amber
    assert presentation.LEVEL_TAGS[calculations.Level.FIRSTBASE].icon == amber
    assert presentation.VARIATION_TAGS[spc.Variation.IMPROVING].icon == "⊕"
    assert benchmarking.QUARTILES[2][1] == "②"
    assert benchmarking.DIRECTIONS["improving"] == ("Improving", "↑")


def test_python_modules_write_no_status_shape_of_their_own():
    """Outside the registry, no module of the apps writes a status, quartile, award or SPC
    shape (the shapes that contradicted each other before issue 19)."""
    watched = {
        symbol.char
        for name in ("status", "variation", "quartile", "award", "task", "window")
        for symbol in symbols.concept(name).symbols
        if symbol.char and symbol.char not in TYPOGRAPHY
    } | set("◆◇▽▼✕")
    offenders = []
    for package in ("performance", "reach_summit", "benchmarking", "dataquality"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "symbols.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                code = re.sub(r"#.*", "", line)
                if any(char in code for char in watched):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_chart_bars_take_the_registrys_colours_and_carry_3_to_1_on_white():
    """WCAG 1.4.11: the status bars are graphics people read; GOV.UK orange (2.9:1) was not."""
    from performance.core.charts import svg

    for tone in ("green", "amber", "red"):
        assert symbols.contrast(svg.TONES[tone]) >= 3
    assert svg.TONES["amber"] == symbols.PALETTE["amber"]

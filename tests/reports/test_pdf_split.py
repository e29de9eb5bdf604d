"""Issue 21: a report's print HTML cut into a front and parts (performance/reports/pdf_split.py)."""

from __future__ import annotations

import re

from performance.reports import pdf_split
from performance.reports.pdf_split import BACK, BEGIN, END, PIECE, SECTION

RUNNING = {"council": 'Hart "District" Council', "title": "Quarterly report"}


def section(name: str, pieces: list[str]) -> str:
    body = "".join(f"{PIECE}<table><caption>{piece}</caption></table>" for piece in pieces)
    return (
        f'{SECTION}<section class="report-section" id="{name}">'
        f'<h2 id="{name}-heading">{name}</h2>{body}</section>'
    )


def report(*sections: str, links: str = "") -> str:
    contents = "".join(
        f'<li><a class="govuk-link" href="#{name}">{name}</a></li>'
        for name in (*(re.search(r'id="([^"]+)"', s).group(1) for s in sections), "about")
    )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><title>R</title></head><body><article>'
        f"{BEGIN}<header><h1>Report</h1></header>"
        f'<nav><ol class="report-contents__list">{contents}</ol></nav>'
        + "".join(sections)
        + f'{BACK}<section class="report-section report-about" id="about">{links}About</section>'
        f"{END}</article></body></html>"
    )


def test_the_front_holds_the_cover_and_contents_and_each_part_is_a_whole_document():
    html = report(section("one", ["a" * 500]), section("two", ["b" * 500]))
    cut = pdf_split.split(html, 2, RUNNING)
    assert cut is not None
    assert "<h1>Report</h1>" in cut.front
    assert 'id="one-heading"' not in cut.front  # (only the empty anchor of its link: below)
    assert cut.anchors == {"one", "two", "about"}
    assert len(cut.parts) == 2
    first, second = cut.parts
    assert 'id="one"' in first
    assert 'id="two"' not in first
    assert 'id="two"' in second
    assert 'id="about"' in second
    for document in (cut.front, *cut.parts):
        assert document.startswith("<!DOCTYPE html>")
        assert document.endswith("</article></body></html>")
        assert document.count("<section") == document.count("</section>")
    # The running header's texts, which the cover sets in the front, are set for each part.
    assert (
        '<style>html { string-set: council "Hart \\"District\\" Council", '
        'title "Quarterly report"; }</style></head>'
    ) in first
    assert "string-set" not in cut.front


def test_a_long_section_is_cut_between_its_pieces_and_goes_on_without_its_heading():
    html = report(section("long", ["<b>x</b>" * 100] * 4), section("short", ["y"]))
    cut = pdf_split.split(html, 2, RUNNING)
    assert cut is not None
    first, second = cut.parts
    assert first.count("<b>x</b>" * 100) == 2
    assert second.count("<b>x</b>" * 100) == 2
    assert first.count("<section") == first.count("</section>") == 1
    assert pdf_split.CONTINUED in second
    assert second.count('id="long"') == 0
    assert second.count("<h2") == 1
    assert second.index(pdf_split.CONTINUED) < second.index('id="short"')


def test_parts_are_shared_out_by_their_elements_and_text_not_their_bytes():
    assert pdf_split.weight("<p>" + "x" * 400 + "</p>") == 1 + 400 // pdf_split.TEXT_PER_ELEMENT
    chart = '<img alt="A chart" src="data:image/svg+xml;base64,' + "A" * 50_000 + '">'
    assert pdf_split.weight(chart) == 1 + pdf_split.CHART_WEIGHT
    html = report(
        section("a", ["<span>y</span>" * 120]),
        section("b", [chart]),
        section("c", ["<span>y</span>" * 50]),
        section("d", ["<span>y</span>" * 50]),
        section("e", ["<span>y</span>" * 50]),
    )
    cut = pdf_split.split(html, 2, RUNNING)
    assert cut is not None
    first, second = cut.parts
    # 120 elements and a chart, then 150: not the chart's 50,000 bytes alone in a part.
    assert 'id="a"' in first
    assert 'id="b"' in first
    assert all(f'id="{name}"' in second for name in "cde")


def test_links_to_anchors_of_other_parts_get_empty_anchors_the_join_replaces():
    html = report(
        section("one", ["a" * 500]),
        section("two", ['<a href="#one">see one</a>' + "b" * 500]),
        links='<a href="#two">two</a>',
    )
    cut = pdf_split.split(html, 2, RUNNING)
    assert cut is not None
    assert cut.placeholders == [frozenset(), frozenset({"one"})]
    assert cut.parts[1].count('<span id="one"></span>') == 1
    assert cut.anchors == {"one", "two", "about"}
    for name in ("one", "two", "about"):
        assert f'<span id="{name}"></span>' in cut.front


def test_the_contents_numbers_come_from_the_parts():
    html = report(section("one", ["a"]), section("two", ["b"]))
    cut = pdf_split.split(html, 2, RUNNING)
    assert cut is not None
    front = pdf_split.numbered_front(cut.front, {"one": 2, "two": 7})
    assert '<a class="govuk-link" href="#one" data-page="2">' in front
    assert '<a class="govuk-link" href="#two" data-page="7">' in front
    assert '<a class="govuk-link" href="#about">' in front  # not given: left to target-counter


def test_no_parts_without_the_marks_or_with_less_to_share_than_parts():
    assert pdf_split.split("<html><body>no marks</body></html>", 2, RUNNING) is None
    assert pdf_split.split(report(section("one", [])), 2, RUNNING) is None
    # One section of one piece: the only cut would leave its heading alone in the first part.
    assert pdf_split.split(report(section("one", ["<b>x</b>" * 50])), 2, RUNNING) is None
    assert pdf_split.split(report(section("one", ["a"]), section("two", ["b"])), 1, RUNNING) is None
    # The marks out of order (a template that moved one) are not trusted either.
    html = report(section("one", ["a"]), section("two", ["b"]))
    assert pdf_split.split(html.replace(BEGIN, "").replace(BACK, BACK + BEGIN), 2, RUNNING) is None


def test_css_strings_are_escaped():
    assert pdf_split.css_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\A d"'

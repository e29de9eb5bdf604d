"""WeasyPrint's floor for a report PDF (scripts/pdf_floor.py, issue 21): the same matter, plain,
brought to the report's page count. No database."""

from __future__ import annotations

import re

from tests.scripts import load_script

pdf_floor = load_script("pdf_floor")

CHART = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="

REPORT = f"""<!DOCTYPE html><html lang="en-GB"><head><title>Not printed</title>
<style>.x {{ color: red }}</style></head><body class="report-print">
<article class="report">
<h1 class="govuk-heading-xl"><span class="report-running-title">Quarterly report</span></h1>
<nav><ol class="govuk-list"><li><a href="#summary">Summary</a></li><li><a href="#glossary">Words</a></li></ol></nav>
<section id="summary"><h2>Summary</h2><p>Opening <strong>words</strong> here.</p>
<article class="report-spotlight"><div class="report-spotlight__head">
<h3><strong class="report-status"><span aria-hidden="true">✖</span> Red</strong> ABC 001 Bins</h3>
<dl class="report-facts">
<div class="govuk-summary-list__row"><dt>Value</dt><dd>58.4%</dd></div>
<div class="govuk-summary-list__row"><dt>Target</dt><dd>70.0%</dd></div>
</dl></div>
<div class="report-spotlight__words"><div class="report-note">A note in a div</div>
<ul class="govuk-list--bullet"><li>First action</li><li>Second <span>action</span></li></ul>
</div>
<figure class="report-figure"><img class="report-figure__chart" src="{CHART}" alt="Bins chart">
<figcaption>Bins against target</figcaption><table class="report-figure__data"><tr><td>hidden
figure data</td></tr></table></figure>
<p class="report-noprint">Only on screen</p>
<span class="govuk-visually-hidden">Only for screen readers</span>
</article>
<div class="report-table-keep"><table class="report-table"><caption>Indicators by status</caption>
<colgroup><col style="width: 50%"><col></colgroup>
<thead><tr><th scope="col">Status</th><th>Count</th></tr></thead>
<tbody><tr><th>Green</th><td>85</td></tr><tr><td colspan="2">Amber <span>37</span></td></tr></tbody>
</table></div></section>
<section class="report-section report-glossary" id="glossary"><h2>Glossary</h2>
<dl><div><dt>RAG</dt><dd>Red, Amber, Green.</dd></div></dl></section>
</article></body></html>"""


def _body(plain: str) -> str:
    return plain.split("<body>", 1)[1]


def test_floor_keeps_every_visible_text_block_as_plain_html():
    body = _body(pdf_floor.floor_html(REPORT))
    # Headings stay headings, with the text of their inline children.
    assert "<h1>Quarterly report</h1>" in body
    assert "<h3>✖ Red ABC 001 Bins</h3>" in body
    # List items (the contents list too, without CSS page numbers) stay list items.
    assert "<ol>\n<li>Summary</li>\n<li>Words</li>\n</ol>" in body
    assert "<ul>\n<li>First action</li>\n<li>Second action</li>\n</ul>" in body
    # A fact list is one paragraph of "term: description" pairs; so is the glossary.
    assert "<p>Value: 58.4%; Target: 70.0%</p>" in body
    assert "<p>RAG: Red, Amber, Green.</p>" in body
    # Leaf text of a div and a figure's caption are paragraphs; the chart is the same image.
    assert "<p>A note in a div</p>" in body
    assert "<p>Bins against target</p>" in body
    assert f'<img src="{CHART}" alt="Bins chart">' in body
    assert "<p>Opening words here.</p>" in body
    # Every table cell, plain, header cells as th, spans kept; the caption a paragraph above.
    assert (
        "<p>Indicators by status</p><table><thead><tr><th>Status</th><th>Count</th></tr></thead>"
        '<tbody><tr><th>Green</th><td>85</td></tr><tr><td colspan="2">Amber 37</td></tr>'
        "</tbody></table>"
    ) in body
    # Nothing of ours in the way: no classes, styles, column widths or print CSS.
    assert not re.search(r"class=\"(?!break\")|style=|<col|<style", body)


def test_floor_leaves_out_what_print_hides_and_breaks_where_the_report_forces_a_page():
    plain = pdf_floor.floor_html(REPORT)
    for hidden in ("Not printed", "color: red", "Only on screen", "Only for screen readers"):
        assert hidden not in _body(plain)
    assert "hidden figure data" not in plain
    assert "report-glossary" in pdf_floor.FORCED_BREAKS  # read from print.css
    assert '<div class="break"></div>\n<h2>Glossary</h2>' in plain
    assert plain.count('class="break"') == 1


def test_measure_brings_the_floor_to_the_reports_page_count_with_padding():
    alone = pdf_floor.measure(REPORT)
    assert alone.pages == alone.matter_pages == 2  # the glossary's forced break
    assert alone.padding_pages == 0
    assert (alone.tables, alone.charts) == (1, 1)

    padded = pdf_floor.measure(REPORT, pages=5)
    assert padded.pages == 5
    assert (padded.matter_pages, padded.padding_pages) == (2, 3)
    assert padded.seconds > 0
    assert padded.size > alone.size

    # Never cut: a report with fewer pages than its matter takes plainly leaves it as it is.
    assert pdf_floor.measure(REPORT, pages=1).pages == 2


def test_padding_is_the_floors_own_words_a_page_at_a_time():
    plain = pdf_floor.floor_html(REPORT)
    padding = pdf_floor.padding_html(plain, pages=2, per_page=60)
    assert padding.count('<div class="break"></div>') == 2
    paragraphs = re.findall(r"<p>(.*?)</p>", padding)
    assert paragraphs
    assert set(paragraphs) <= set(re.findall(r"<p>(.*?)</p>", plain))

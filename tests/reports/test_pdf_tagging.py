"""Issue 22: every report PDF is tagged (PDF/UA-1), and a published one is fit for the archive.

Each report kind for each audience is built on the small council and its structure tree walked
with pypdf: marked as tagged, a language, a title shown as the window title, one H1 and heading
levels without gaps, every table with header cells (each with its scope), every figure (chart) with alternative text
that says what the chart shows, and the bookmarks kept.
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from performance.common import pdf as pdf_files
from performance.reports import exports, services
from performance.reports.data import Audience, Chart, Kind
from performance.reports.models import PublishedReport
from tests.reports.council import PERIOD
from tests.reports.test_exports import build

pytestmark = pytest.mark.django_db


# --- the structure tree -------------------------------------------------------------------------


def struct_kids(element: DictionaryObject) -> list[DictionaryObject]:
    """The structure elements under `element` (marked-content ids and annotations left out)."""
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object()
    items = kids if isinstance(kids, ArrayObject) else [kids]
    found = []
    for item in items:
        item = item.get_object() if isinstance(item, IndirectObject) else item
        if isinstance(item, DictionaryObject) and "/S" in item:
            found.append(item)
    return found


def walk(element: DictionaryObject, depth: int = 0):
    yield depth, element
    for kid in struct_kids(element):
        yield from walk(kid, depth + 1)


def structure(data: bytes) -> tuple[PdfReader, list[tuple[int, DictionaryObject]]]:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged (no structure tree)"
    return reader, list(walk(root["/StructTreeRoot"].get_object()))


def tag(element: DictionaryObject) -> str:
    return str(element.get("/S", ""))


def outline(data: bytes) -> str:
    """The structure tree as an indented outline (text spans left out), for a reader of a test
    failure or of the issue's note."""
    _, nodes = structure(data)
    lines = []
    for depth, element in nodes:
        if tag(element) in ("/Span", "/NonStruct", ""):
            continue
        alt = element.get("/Alt")
        lines.append("  " * depth + tag(element)[1:] + (f'  Alt="{alt}"' if alt else ""))
    return "\n".join(lines)


def is_true(value) -> bool:
    """A PDF boolean `true` (pypdf's BooleanObject), not merely present."""
    return value is not None and getattr(value, "value", value) is True


def problems(data: bytes) -> list[str]:
    """What stops the PDF being read with a screen reader, per the checks of issue 22."""
    reader, nodes = structure(data)
    root = reader.trailer["/Root"]
    found = []
    if not is_true(root.get("/MarkInfo", {}).get("/Marked")):
        found.append("MarkInfo /Marked is not true")
    if not str(root.get("/Lang", "")).strip():
        found.append("no /Lang")
    if not (reader.metadata and (reader.metadata.title or "").strip()):
        found.append("no /Title in the document information")
    xmp = reader.xmp_metadata
    if xmp is None or not xmp.dc_title:
        found.append("no dc:title in the XMP metadata")
    if not is_true(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")):
        found.append("DisplayDocTitle is not true")
    levels = [int(tag(e)[2]) for _, e in nodes if re.fullmatch(r"/H[1-6]", tag(e))]
    if levels.count(1) != 1:
        found.append(f"{levels.count(1)} H1 headings, not one")
    previous = 0
    for level in levels:
        if level > previous + 1:
            found.append(f"heading level skipped: H{previous} then H{level}")
        previous = level
    for _, element in nodes:
        if tag(element) == "/Table":
            cells = [tag(e) for _, e in walk(element)]
            if "/TH" not in cells:
                found.append("a table without header cells")
        if tag(element) == "/TH":
            scope = element.get("/A", {}).get("/Scope")
            if scope not in ("/Column", "/Row"):
                found.append(f"a header cell without /Scope ({scope})")
        if tag(element) == "/Figure" and not str(element.get("/Alt", "")).strip():
            found.append("a figure without alternative text")
    return found


A_ID = "http://www.aiim.org/pdfa/ns/id/"
UA_ID = "http://www.aiim.org/pdfua/ns/id/"


def xmp_value(xmp, namespace: str, name: str) -> str | None:
    """The first value of an XMP property (an attribute of an rdf:Description), or None."""
    for node in xmp.get_element("", namespace, name):
        return node.value if hasattr(node, "value") else node.firstChild.data
    return None


def figures(data: bytes) -> list[str]:
    _, nodes = structure(data)
    return [str(e["/Alt"]) for _, e in nodes if tag(e) == "/Figure"]


# --- every report kind, every audience ----------------------------------------------------------


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("kind", list(Kind))
def test_each_report_pdf_is_tagged_with_headings_tables_and_described_figures(
    council, kind, audience
):
    report = build(kind, audience)
    data = exports.pdf(report, services.draft_stamp())
    assert problems(data) == [], outline(data)
    reader, _ = structure(data)
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith(report.title)
    assert report.title in reader.xmp_metadata.dc_title["x-default"]
    # PDF/UA-1 claimed in the XMP metadata.
    assert xmp_value(reader.xmp_metadata, UA_ID, "part") == "1"
    # Bookmarks for every section are kept.
    assert [item.title for item in reader.outline if not isinstance(item, list)]
    # One figure per chart of the report (bar charts, spotlight charts).
    charts = sum(len(s.charts) for s in report.shown_sections) + sum(
        1 for s in report.shown_sections for spot in s.spotlights if spot.chart
    )
    assert len(figures(data)) == charts


def test_a_spotlight_chart_says_latest_value_target_trend_and_spc_signal(council):
    data = exports.pdf(build(Kind.QUARTERLY), services.draft_stamp())
    described = [alt for alt in figures(data) if alt.startswith("WAS 001")]
    assert described, figures(data)
    alt = described[0]
    # WAS 001: 38.0% against 45% in the report quarter (tests/reports/council.py).
    assert "Latest value 38.0% in 2025/26 Q3, against a target of 45.0%" in alt
    assert re.search(r"; (up|down) from [\d.]+% in \S+ Q\d, over \d+ periods", alt), alt
    assert "The latest point shows" in alt
    assert (
        "Special-cause points: 8 improving between 2022/23 Q1 and 2023/24 Q4; 7 concerning" in alt
    )


def test_a_bar_chart_says_its_counts_in_words_without_the_status_symbols(council):
    data = exports.pdf(build(Kind.QUARTERLY), services.draft_stamp())
    status = next(alt for alt in figures(data) if alt.startswith("Indicators by status"))
    assert "Green: 2" in status
    assert "Red: 2" in status
    # Each count is named by its word, not by a symbol before it.
    for part in status.split(". ", 1)[1].split("; "):
        assert part[0].isalpha(), part


def marked_content(page) -> tuple[set[int], int]:
    """The marked-content ids on a page, and how many text-showing operators are inside an
    Artifact sequence (the running header and footer)."""
    from pypdf.generic import ContentStream

    mcids: set[int] = set()
    stack: list[str] = []
    artifact_text = 0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"BDC":
            stack.append(str(operands[0]))
            mcid = operands[1].get("/MCID") if isinstance(operands[1], DictionaryObject) else None
            if mcid is not None:
                mcids.add(int(mcid))
        elif operator == b"BMC":
            stack.append(str(operands[0]))
        elif operator == b"EMC" and stack:
            stack.pop()
        elif operator in (b"Tj", b"TJ") and "/Artifact" in stack:
            artifact_text += 1
    return mcids, artifact_text


def test_running_headers_and_footers_are_artifacts_and_all_other_content_is_in_the_tree(council):
    data = exports.pdf(build(Kind.QUARTERLY), services.draft_stamp())
    reader, nodes = structure(data)
    reachable = {e.indirect_reference.idnum for _, e in nodes if e.indirect_reference}
    parents = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    for number, page in enumerate(reader.pages):
        mcids, artifact_text = marked_content(page)
        # The council, committee, status and page number at the head and foot of every page.
        assert artifact_text >= 2, f"page {number + 1}: no running header/footer artifact"
        owners = parents[2 * number + 1]
        for mcid in mcids:
            owner = owners[mcid]
            where = f"page {number + 1}: marked content {mcid}"
            assert owner is not None, f"{where} has no entry in the parent tree"
            assert owner.idnum in reachable, f"{where} belongs to no element of the tree"


def test_the_web_page_gives_each_chart_the_same_text_as_the_pdf(client, council):
    client.force_login(council.officer)
    page = client.get(
        reverse("reports:report", args=[Kind.QUARTERLY.value]), {"period": PERIOD}
    ).content.decode()
    data = exports.pdf(build(Kind.QUARTERLY), services.draft_stamp())
    alts = figures(data)
    assert alts
    from django.utils.html import escape

    for alt in alts:
        assert f">{escape(alt)}</desc>" in page, alt


def test_a_chart_frozen_before_issue_22_is_described_from_its_figures():
    chart = Chart(
        id="chart-1",
        title="WAS 001 Recycling: values against target",
        svg="<svg></svg>",
        data=[
            {
                "period": "2025/26 Q1",
                "value": "41.0%",
                "target": "45.0%",
                "reading": "common cause",
            },
            {"period": "2025/26 Q2", "value": "38.0%", "target": "45.0%", "reading": "concerning"},
        ],
    )
    assert chart.alt == (
        "WAS 001 Recycling: values against target. Latest value 38.0% in 2025/26 Q2, against a "
        "target of 45.0%; 2 periods from 2025/26 Q1 (41.0%). Special causes: 2025/26 Q2 "
        "concerning."
    )
    assert Chart(id="c", title="Counts", svg="").alt == "Counts."


# --- published: PDF/A-3u as well ---------------------------------------------------------------


def test_a_published_report_is_tagged_pdf_a_3u_and_claims_pdf_ua_1(client, council):
    client.force_login(council.officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("reports:publish"),
            {"kind": "quarterly", "period": PERIOD, "audience": "cabinet", "confirm": "yes"},
        )
    client.logout()
    row = PublishedReport.objects.get()
    data = b"".join(client.get(reverse("public:pdf", args=[row.pk])).streaming_content)
    assert problems(data) == [], outline(data)
    reader, _ = structure(data)
    xmp = reader.xmp_metadata
    assert xmp_value(xmp, A_ID, "part") == "3"
    assert xmp_value(xmp, A_ID, "conformance") == "U"
    assert xmp_value(xmp, UA_ID, "part") == "1"
    # PDF/A: an sRGB output intent and a file identifier.
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert "/ID" in reader.trailer


def test_a_draft_is_pdf_ua_only_and_the_untagged_build_is_only_for_the_benchmark(council):
    report = build(Kind.COMPLAINTS)
    draft = exports.pdf(report, services.draft_stamp())
    reader = PdfReader(io.BytesIO(draft))
    assert "/OutputIntents" not in reader.trailer["/Root"]
    assert xmp_value(reader.xmp_metadata, A_ID, "part") is None
    plain = exports.pdf(report, services.draft_stamp(), tagged=False)
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(plain)).trailer["/Root"]


# --- the fetcher lets a chart's SVG data URL through, and nothing else new ----------------------


def test_the_fetcher_serves_a_chart_svg_data_url_but_no_other_data_url():
    fetched = pdf_files.static_only(pdf_files.svg_data_url("<svg/>"))
    assert fetched == {"string": b"<svg/>", "mime_type": "image/svg+xml"}
    with pytest.raises(pdf_files.RefusedFetch):
        pdf_files.static_only(pdf_files.SVG_DATA + "not base64!")
    for url in ("data:text/css,body{}", "data:image/svg+xml,<svg/>", "data:image/png;base64,AA=="):
        with pytest.raises(pdf_files.RefusedFetch):
            pdf_files.static_only(url)

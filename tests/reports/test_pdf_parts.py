"""Issue 21: a report laid out in parts by processes of their own reads as the one built whole.

The small council's quarterly report is built whole and in two and three parts (forced: it is
below the size from which a report is built in parts). The joined PDF is compared with the
whole one: the same words, figures and bookmarks; a page number and total on every page;
every contents entry numbered with, and linked to, the page its section starts on; the tags as
complete as issue 22 asks (tests/reports/test_pdf_tagging.py's checks).
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections import Counter

import pytest
from pypdf import PdfReader

from performance.common import pdf_parts
from performance.reports import exports, services
from performance.reports.data import Kind
from tests.reports.test_exports import build
from tests.reports.test_pdf_tagging import figures, marked_content, outline, problems, structure

pytestmark = pytest.mark.django_db

FOOTER = re.compile(r"Page (\d+) of (\d+)")


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def matter(data: bytes, report, stamp: exports.Stamp) -> Counter:
    """The characters of the PDF's matter, counted: the running header and footer, spaces and
    digits left out (page numbers differ, as the parts start on pages of their own; the text
    extractor splits some words by their kerning, so words are not compared)."""
    found: Counter = Counter()
    running = [
        f"{report.council} · {report.committee}",
        f"{stamp.status} · {stamp.date}",
        f"{report.title} Page of",
    ]
    for text in page_texts(data):
        text = re.sub(r"[\s\d]", "", text)
        for line in running:
            text = text.replace(re.sub(r"[\s\d]", "", line), "", 1)
        found.update(text)
    return found


def bookmarks(data: bytes) -> list[tuple[int, str]]:
    reader = PdfReader(io.BytesIO(data))

    def flat(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from flat(item, depth + 1)
            else:
                yield depth, item.title

    return list(flat(reader.outline, 0))


@pytest.fixture
def quarterly(council):
    report = build(Kind.QUARTERLY)
    stamp = services.draft_stamp()
    return report, stamp, exports.pdf(report, stamp, parts=1)


@pytest.mark.parametrize("parts", [2, 3])
def test_a_report_built_in_parts_reads_as_the_one_built_whole(quarterly, parts):
    report, stamp, whole = quarterly
    joined = exports.pdf(report, stamp, parts=parts)
    assert problems(joined) == [], outline(joined)
    texts = page_texts(joined)
    # A part starts on a page of its own: at most a page more per part.
    assert len(page_texts(whole)) < len(texts) <= len(page_texts(whole)) + parts
    for number, text in enumerate(texts, start=1):
        assert FOOTER.findall(text) == [(str(number), str(len(texts)))], text[-200:]
        assert f"{stamp.status} · {stamp.date}" in text  # the running header
        assert report.title in text  # the running footer
    assert matter(joined, report, stamp) == matter(whole, report, stamp)
    assert figures(joined) == figures(whole)
    assert bookmarks(joined) == bookmarks(whole)


def test_each_page_numbers_its_tagged_content_in_the_joined_parent_tree(quarterly):
    report, stamp, _ = quarterly
    joined = exports.pdf(report, stamp, parts=3)
    reader, nodes = structure(joined)
    reachable = {e.indirect_reference.idnum for _, e in nodes if e.indirect_reference}
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = root["/ParentTree"]["/Nums"]
    keys = [int(key) for key in nums[::2]]
    assert keys == list(range(len(keys)))
    assert int(root["/ParentTreeNextKey"]) == len(keys)
    links = 0
    for number, page in enumerate(reader.pages):
        assert int(page["/StructParents"]) == number
        mcids, artifact_text = marked_content(page)
        assert artifact_text >= 2, f"page {number + 1}: no running header/footer artifact"
        assert mcids
        for mcid in mcids:
            owner = nums[2 * number + 1][mcid]
            assert owner.idnum in reachable, f"page {number + 1}: {mcid} belongs to no element"
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            element = nums[2 * int(annotation["/StructParent"]) + 1].get_object()
            assert element["/S"] == "/Link"
            assert element.indirect_reference.idnum in reachable
            links += 1
    assert links >= len(report.shown_sections) + 2  # the contents list's, at least
    # Only the tags of the empty anchors the parts were given are gone: none is left empty.
    assert not [e for _, e in nodes if e.get("/S") == "/Span" and not len(e.get("/K", []))]


def test_the_contents_gives_each_section_the_page_it_starts_on_and_links_there(quarterly):
    report, stamp, _ = quarterly
    joined = exports.pdf(report, stamp, parts=2)
    reader = PdfReader(io.BytesIO(joined))
    texts = page_texts(joined)
    contents = texts[0]
    destinations = reader.named_destinations
    entries = [(s.id, s.title) for s in report.shown_sections]
    entries += [("about", "About this report"), ("glossary", "Glossary")]
    for anchor, title in entries:
        printed = re.search(re.escape(title) + r"\s*\.+\s*(\d+)", contents)
        assert printed, f"{title!r} not numbered in the contents: {contents[:1500]}"
        page = int(printed.group(1))
        assert reader.get_destination_page_number(destinations[anchor]) + 1 == page
        assert title in texts[page - 1], f"{title!r} is not on page {page}"
        assert not any(
            re.search(rf"(^|\n){re.escape(title)}\s*\n", text) for text in texts[1 : page - 1]
        ), f"{title!r} starts before page {page}"
    link_targets = {
        str(annotation.get_object()["/Dest"])
        for annotation in reader.pages[0].get("/Annots", [])
        if "/Dest" in annotation.get_object()
    }
    assert link_targets == {anchor for anchor, _ in entries}


def test_a_part_that_fails_stops_the_parts_and_the_report_is_built_whole(
    quarterly, monkeypatch, caplog
):
    report, stamp, whole = quarterly
    real = exports._render

    def render(html: str):
        if "string-set" in html:  # a part, in its own process
            raise RuntimeError("a part could not be laid out")
        return real(html)

    monkeypatch.setattr(exports, "_render", render)
    assert exports._in_parts(report, stamp, exports.html(report, stamp), 2, lambda *_: None) is None
    assert "could not be built in parts" in caplog.text
    assert "RuntimeError: a part could not be laid out" in caplog.text  # the part's own error
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no process left behind
    # exports.pdf then builds it whole.
    data = exports.pdf(report, stamp, parts=2)
    assert len(page_texts(data)) == len(page_texts(whole))
    assert matter(data, report, stamp) == matter(whole, report, stamp)


def test_a_part_gone_quiet_is_stopped(quarterly, monkeypatch, caplog):
    report, stamp, _ = quarterly
    real = exports._render

    def render(html: str):
        if "string-set" in html:
            time.sleep(60)
        return real(html)

    monkeypatch.setattr(exports, "_render", render)
    monkeypatch.setattr(pdf_parts, "PART_TIMEOUT", 1.0)
    started = time.monotonic()
    assert exports._in_parts(report, stamp, exports.html(report, stamp), 2, lambda *_: None) is None
    assert time.monotonic() - started < 20
    assert "went quiet" in caplog.text
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_which_reports_are_built_in_parts(quarterly, settings):
    report, stamp, _ = quarterly
    settings.REPORTS_PDF_PARTS = 2
    settings.REPORTS_PDF_PARTS_MIN_SIZE = report.size
    assert exports.parts_for(report, stamp) == 2
    # Smaller than the size set; for the benchmark's untagged comparison; published (PDF/A).
    settings.REPORTS_PDF_PARTS_MIN_SIZE = report.size + 1
    assert exports.parts_for(report, stamp) == 1
    settings.REPORTS_PDF_PARTS_MIN_SIZE = report.size
    assert exports.parts_for(report, stamp, tagged=False) == 1
    published = exports.Stamp(status="PUBLISHED v1", date=stamp.date, published=True)
    assert exports.parts_for(report, published) == 1
    # Even when asked for parts, the archive copy is built whole: PDF/A-3u with its output intent.
    archive = PdfReader(io.BytesIO(exports.pdf(report, published, parts=2)))
    assert archive.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    # Not on a web server's request thread: forking there could copy a lock held elsewhere.
    found = []
    thread = threading.Thread(target=lambda: found.append(exports.parts_for(report, stamp)))
    thread.start()
    thread.join()
    assert found == [1]

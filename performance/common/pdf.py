"""What WeasyPrint may read while it builds a PDF: our own static files, nothing else.

WeasyPrint's default URL fetcher follows any `src`/`href`/`url()` in the HTML and CSS: a
`file:///etc/passwd` stylesheet or an `http://169.254.169.254/` image would be read (or
requested) on the server. Every PDF is built with `static_only` instead (issue 14): it serves
files inside the static roots (STATIC_ROOT and STATICFILES_DIRS) and refuses everything else by
raising, which WeasyPrint logs as a failed fetch and goes on without the resource.
"""

from __future__ import annotations

import base64
import binascii
import gc
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings


class RefusedFetch(PermissionError):
    """A PDF referred to something outside our static files."""


def _roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    return [root.resolve() for root in roots]


def _inside(path: Path, root: Path) -> bool:
    return path.is_relative_to(root) and path.is_file()


def static_file(url: str) -> Path | None:
    """The static file `url` names, or None. Accepts `file:` URLs inside a static root and
    `/static/…` paths (as given, or joined onto the file base URL); never a host or a `..` out."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
        return None
    if parts.query or parts.fragment:
        return None
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if parts.scheme == "file":
        for root in _roots():
            if _inside(path, root):
                return path
    # "/static/css/x.css" arrives as is, or as file:///static/css/x.css after joining onto the
    # base URL: look it up under each static root.
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    text = unquote(parts.path)
    if parts.scheme == "file" and text.startswith(str(Path(settings.BASE_DIR).resolve())):
        return None  # a project file outside the static roots
    if not text.startswith(prefix):
        return None
    relative = text[len(prefix) :]
    for root in _roots():
        candidate = (root / relative).resolve()
        if _inside(candidate, root):
            return candidate
    return None


# A chart in a PDF is an `<img>` of its own SVG as a data URL (issue 22: WeasyPrint gives an
# `<img>`, not an inline `<svg>`, a Figure tag with its `alt` as the alternative text). The bytes
# are in the URL, so nothing is read; anything the SVG refers to still comes through this fetcher.
SVG_DATA = "data:image/svg+xml;base64,"


def svg_data_url(svg: str) -> str:
    return SVG_DATA + base64.b64encode(svg.encode()).decode("ascii")


def static_only(url: str, timeout: int = 10, ssl_context: Any = None, **_: Any) -> dict[str, Any]:
    """WeasyPrint url_fetcher: the bytes of one of our static files (or of an SVG data URL), or
    RefusedFetch."""
    if url.startswith(SVG_DATA):
        try:
            svg = base64.b64decode(url[len(SVG_DATA) :], validate=True)
        except binascii.Error as error:
            raise RefusedFetch("A chart's data URL is not base64.") from error
        return {"string": svg, "mime_type": "image/svg+xml"}
    path = static_file(url)
    if path is None:
        raise RefusedFetch(f"A PDF may only use the app's static files, not {url[:200]!r}.")
    return {
        "string": path.read_bytes(),
        "mime_type": mimetypes.guess_type(path.name)[0],
        "redirected_url": path.as_uri(),
    }


# --- writing: tagged (PDF/UA-1), and for the archive PDF/A-3u as well (issue 22) ----------------

# Every PDF Summit writes is tagged: a structure tree (headings, tables with header cells, lists,
# figures with alternative text), the language, the title shown as the window title, and the
# running headers and footers (page margin boxes) left out of the tree.
UA = "pdf/ua-1"
# A published report is also written for the archive: WeasyPrint writes one variant at a time,
# so it is PDF/A-3u with the tags switched on and the PDF/UA-1 identification added to the XMP
# metadata beside the PDF/A one (both are PDF 1.7). See docs/decisions.md.
ARCHIVE = "pdf/a-3u"


def _with_ua_identification(generate: Any) -> Any:
    """An RDF generator for WeasyPrint's metadata that also says `pdfuaid:part="1"`."""
    from xml.etree.ElementTree import SubElement, fromstring, tostring  # noqa: PLC0415

    rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ua_ns = "http://www.aiim.org/pdfua/ns/id/"

    def generate_rdf_metadata(metadata: Any, variant: str, version: int, conformance: Any) -> bytes:
        rdf = fromstring(generate(metadata, variant, version, conformance))
        description = SubElement(rdf, f"{{{rdf_ns}}}Description")
        description.attrib[f"{{{rdf_ns}}}about"] = ""
        description.attrib[f"{{{ua_ns}}}part"] = "1"
        return tostring(rdf, encoding="utf-8")

    return generate_rdf_metadata


def _number(reference: bytes | str) -> int:
    """The object number of a pydyf reference (b"12 0 R")."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    return int(text.split()[0])


def _is_reference(item: Any) -> bool:
    text = item.decode() if isinstance(item, bytes) else item
    return isinstance(text, str) and text.endswith(" 0 R")


def _object(pdf: Any, reference: bytes | str) -> Any:
    """The pydyf object a reference names."""
    return pdf.objects[_number(reference)]


def margins_as_artifacts(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: the running header and footer (the page margin boxes) as artifacts.

    WeasyPrint 66 marks their text as structure content but links it to no element of the tree
    (an Artifact element is only allowed in PDF 2.0), so a checker finds content with no place in
    the tree. Here each marked-content sequence whose element is not reachable from the tree
    becomes `/Artifact BMC`, and its entry in the parent tree is emptied."""
    catalog = pdf.catalog
    if "StructTreeRoot" not in catalog:
        return
    root = _object(pdf, catalog["StructTreeRoot"])
    reachable: set[int] = set()
    stack = [_number(ref) for ref in root["K"]]
    while stack:
        number = stack.pop()
        if number in reachable:
            continue
        reachable.add(number)
        for kid in pdf.objects[number].get("K", ()):
            if _is_reference(kid) and _object(pdf, kid).get("Type") == "/StructElem":
                stack.append(_number(kid))
    nums = _object(pdf, root["ParentTree"])["Nums"]
    for page_number, page in enumerate(pdf.page_references):
        if 2 * page_number + 1 >= len(nums) or nums[2 * page_number] != page_number:
            continue
        parents = nums[2 * page_number + 1]
        orphans = {
            mcid
            for mcid, ref in enumerate(parents)
            if _is_reference(ref) and _number(ref) not in reachable
        }
        if not orphans:
            continue
        stream = _object(pdf, _object(pdf, page)["Contents"]).stream
        for index, item in enumerate(stream):
            if (
                isinstance(item, dict)
                and item.get("MCID") in orphans
                and index + 1 < len(stream)
                and stream[index + 1] == b"BDC"
            ):
                stream[index - 1] = "/Artifact"
                stream[index] = b""
                stream[index + 1] = b"BMC"
        for mcid in orphans:
            parents[mcid] = "null"


def header_scopes(pdf: Any) -> None:
    """Each table header cell (/TH) says what it heads: /Column in a table head, /Row in a table
    body (Summit's `<th scope="row">`). WeasyPrint 66 links the data cells to their headers
    (/Headers) but writes no /Scope, which checkers ask for."""
    import pydyf  # noqa: PLC0415 (WeasyPrint's PDF writer: only when a PDF is built)

    for element in pdf.objects:
        if not isinstance(element, dict) or element.get("S") != "/TH" or "P" not in element:
            continue
        row = _object(pdf, element["P"])
        group = _object(pdf, row["P"]) if "P" in row else {}
        scope = "/Column" if group.get("S") == "/THead" else "/Row"
        attributes = element.get("A")
        if not isinstance(attributes, dict):
            attributes = pydyf.Dictionary({"O": "/Table"})
            element["A"] = attributes
        attributes["Scope"] = scope


def finish_tags(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher for a tagged PDF: margins as artifacts, header cells scoped."""
    margins_as_artifacts(document, pdf)
    header_scopes(pdf)


def write(document: Any, *, archive: bool = False, tagged: bool = True) -> bytes:
    """The bytes of a rendered WeasyPrint `document`: tagged PDF/UA-1, or with `archive` tagged
    PDF/A-3u that also claims PDF/UA-1. `tagged=False` (untagged, as before issue 22) is only
    for the benchmark's comparison."""
    if not tagged:
        return document.write_pdf()
    if archive:
        document.metadata.generate_rdf_metadata = _with_ua_identification(
            document.metadata.generate_rdf_metadata
        )
        return document.write_pdf(pdf_variant=ARCHIVE, pdf_tags=True, finisher=finish_tags)
    return document.write_pdf(pdf_variant=UA, finisher=finish_tags)


# --- the cyclic garbage collector while WeasyPrint works -------------------------------------

# Allocations between two young collections while a PDF is built (Python's default is 700):
# WeasyPrint makes millions of small boxes, styles and Pango runs that live for the whole build,
# so the default collects them young hundreds of thousands of times and the whole growing heap
# thousands of times, finding next to nothing. Reference counting still frees what is freed.
BUILD_THRESHOLD = 50_000
_builds = 0
_saved: tuple[int, int, int] | None = None
_gc_lock = threading.Lock()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect young objects every `BUILD_THRESHOLD` allocations instead of 700 while inside
    (the thresholds are the process's: the first build in sets them, the last out restores
    them, so builds in two threads do not undo each other); memory found unreachable is still
    collected, only less often."""
    global _builds, _saved
    with _gc_lock:
        if _builds == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(BUILD_THRESHOLD, *_saved[1:])
        _builds += 1
    try:
        yield
    finally:
        with _gc_lock:
            _builds -= 1
            if _builds == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None

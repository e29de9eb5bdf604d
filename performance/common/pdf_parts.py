"""One tagged PDF from parts laid out in separate processes (issue 21).

WeasyPrint lays out a document in one thread, so a 40-page report keeps one core busy for
seconds while the other waits. A report can be cut into parts at its sections, each part laid
out by its own process, and the parts' PDFs joined. Three things a joined PDF would otherwise
get wrong, and how they are kept right:

- *Page numbers*: "Page 12 of 44" is made once a part is paginated and before its running
  footers are laid out. `numbered` (a thread's setting, read by a wrapper around WeasyPrint's
  own `make_margin_boxes`) tells the caller the part's page count and where its anchors fell,
  asks it for the part's first page number and the document's total, and shifts the part's page
  counters before the footers are made.
- *The tags* (PDF/UA-1): WeasyPrint 66 writes a structure tree a page at a time (every page's
  elements are children of one Document element, an element split by a page break is two
  elements), so a part's pages join by appending its Document's children; the parent tree is
  numbered again as WeasyPrint numbers it (page i's marked content under key i, then the link
  annotations), and the empty anchors a part was given for its links lose their empty tags.
- *Links and bookmarks*: named destinations are joined (a part that only pointed at an anchor
  of another part, `placeholders`, gives way to the part that holds it), and the outline is
  built again from every part's headings with their levels, so a section in the second part
  nests under the report's title from the first.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paginated:
    """What a part knows once it is paginated, before its footers are made."""

    pages: int
    anchors: dict[str, int]  # anchor name → page number within the part (1-based)


def supported() -> bool:
    """Whether this WeasyPrint lays out and tags as the joining expects (66: the page maker's
    counters, a structure tree written a page at a time); otherwise a report is built whole."""
    from weasyprint import __version__  # noqa: PLC0415 (WeasyPrint loads Pango: only for PDFs)

    return __version__.split(".")[0] == "66"


# (first page number, total pages) for the part being laid out on this thread, from a callback.
Numbering = Callable[[Paginated], tuple[int, int]]

_numbering = threading.local()
_installed = False
_install_lock = threading.Lock()


def _install() -> None:
    """Wrap WeasyPrint's `make_margin_boxes` once: a thread inside `numbered` gets its part's
    page counters shifted before its first footer is made; any other thread is left alone."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from weasyprint import layout  # noqa: PLC0415 (WeasyPrint loads Pango: only for PDFs)

        original = layout.make_margin_boxes

        def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
            setting = getattr(_numbering, "value", None)
            if setting is not None and not setting.get("done"):
                setting["done"] = True
                _renumber(context, setting)
            return original(context, page, state)

        layout.make_margin_boxes = make_margin_boxes
        _installed = True


def _renumber(context: Any, setting: dict[str, Any]) -> None:
    makers = context.page_maker[1:]  # the first entry is the state before the first page
    wanted = setting["wanted"]
    anchors = {}
    for name, item in context.target_collector.target_lookup_items.items():
        if name in wanted and item.cached_page_counter_values.get("page"):
            anchors[name] = item.cached_page_counter_values["page"][0]
    first, total = setting["numbering"](Paginated(pages=len(makers), anchors=anchors))
    shifted: set[int] = set()
    for page_data in makers:
        counters = page_data[3][1]
        if id(counters) in shifted:
            continue
        shifted.add(id(counters))
        counters["page"] = [counters["page"][0] + first - 1]
        counters["pages"] = [total]


@contextmanager
def numbered(numbering: Numbering, *, anchors: frozenset[str] = frozenset()) -> Iterator[None]:
    """Inside: documents rendered on this thread ask `numbering` for their first page number
    and the total once paginated, telling it the page of each of `anchors` found."""
    _install()
    previous = getattr(_numbering, "value", None)
    _numbering.value = {"numbering": numbering, "wanted": anchors}
    try:
        yield
    finally:
        _numbering.value = previous


# --- bookmarks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int  # 0-based, within its part
    top: float  # in PDF points from the bottom of the page


def bookmarks(document: Any) -> list[Bookmark]:
    """A rendered WeasyPrint document's bookmarks, flat, with their levels, in reading order."""
    found = []
    for index, page in enumerate(document.pages):
        height = page.height * 0.75  # CSS px → PDF points
        for level, label, (_x, y), _state in page.bookmarks:
            found.append(Bookmark(level=level, label=label, page=index, top=height - y * 0.75))
    return found


# --- joining -----------------------------------------------------------------------------------


@dataclass
class Part:
    """One part's PDF as WeasyPrint wrote it, its bookmarks, and the anchor names it only
    pointed at (held by another part)."""

    data: bytes
    bookmarks: list[Bookmark] = field(default_factory=list)
    placeholders: frozenset[str] = frozenset()


def _nums(tree: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a flat number tree (WeasyPrint writes one `Nums` array)."""
    nums = tree.get("/Nums")
    if nums is None:
        raise ValueError("A part's parent tree has kids: only flat number trees are joined.")
    return [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]


def _dests(pdf: Any) -> list[tuple[str, Any]]:
    names = pdf.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is None:
        return []
    flat = dests.get("/Names")
    if flat is None:
        raise ValueError("A part's destinations have kids: only flat name trees are joined.")
    return [(str(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]


def _copy(out: Any, value: Any) -> Any:
    """`value` of another PDF brought into `out`: indirect objects through qpdf's copier (which
    keeps one copy of each, so a page is the page already appended), direct arrays and
    dictionaries item by item."""
    import pikepdf  # noqa: PLC0415 (qpdf: only when a PDF is joined)

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def _without_empty_spans(element: Any) -> bool:
    """Remove the structure elements of the empty anchors a part was given for its links
    (`<span id>` with nothing inside: a Span element with no kids) under `element`, and the
    elements that held nothing else; True when `element` is left empty by it."""
    kids = element.get("/K")
    if kids is None or not hasattr(kids, "append"):
        return False
    keep = []
    for kid in kids:
        if hasattr(kid, "get") and kid.get("/Type") == "/StructElem":
            if kid.get("/S") == "/Span" and len(kid.get("/K", ())) == 0:
                continue
            if _without_empty_spans(kid):
                continue
        keep.append(kid)
    if len(keep) == len(kids):
        return False
    element.K = keep
    return not keep


def _without_empty_spans_on(document: Any, page: Any) -> None:
    keep = [kid for kid in document.K if not (kid.get("/Pg") == page and _without_empty_spans(kid))]
    if len(keep) != len(document.K):
        document.K = keep


def join(parts: list[Part]) -> bytes:
    """One tagged PDF of `parts` in order; the first part's catalogue (language, title, metadata,
    viewer preferences) is the document's. The parent tree is numbered as WeasyPrint numbers
    it: page i's marked content under key i, then the link annotations."""
    import pikepdf  # noqa: PLC0415 (qpdf: only when a PDF is joined)

    if not parts:
        raise ValueError("Nothing to join.")
    sources = [pikepdf.Pdf.open(io.BytesIO(part.data)) for part in parts]
    out = sources[0]
    root = out.Root.StructTreeRoot
    document = root.K[0]
    page_entries: list[Any] = []
    links: list[tuple[Any, Any]] = []  # (annotation, its element), in page order
    dests: dict[str, Any] = {}
    first_pages: list[int] = []
    for index, (part, source) in enumerate(zip(parts, sources, strict=True)):
        first = len(out.pages) if index else 0
        first_pages.append(first)
        count = len(source.pages)
        if index:
            out.pages.extend(source.pages)
        pages = list(out.pages)[first : first + count]
        part_root = source.Root.StructTreeRoot
        entries = dict(_nums(part_root.ParentTree))
        if part.placeholders:  # their empty anchors are at the end of the part's last page
            last = source.pages[-1].obj
            _without_empty_spans_on(part_root.K[0], last)
        if index:
            for kid in part_root.K[0].K:
                del kid["/P"]  # (else the copier brings the part's whole tree along through it)
                copied = _copy(out, kid)
                copied.P = document
                document.K.append(copied)

        def local(value: Any, *, copy: bool = bool(index)) -> Any:
            """`value` of this part as an object of the joined PDF."""
            return _copy(out, value) if copy else value

        for number in range(count):
            page_entries.append(local(entries.get(number, pikepdf.Array())))
        for page in pages:
            for annotation in page.get("/Annots", ()):
                key = int(annotation.get("/StructParent", -1))
                if key in entries:
                    links.append((annotation, local(entries[key])))
        for name, value in _dests(source):
            if name not in part.placeholders and name not in dests:
                dests[name] = local(value)
    nums = pikepdf.Array()
    for number, (page, entry) in enumerate(zip(out.pages, page_entries, strict=True)):
        page.obj.StructParents = number
        nums.extend([number, entry])
    for number, (annotation, element) in enumerate(links, start=len(page_entries)):
        annotation.StructParent = number
        nums.extend([number, element])
    root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = len(page_entries) + len(links)
    if dests:
        flat_dests = pikepdf.Array()
        for name in sorted(dests):
            flat_dests.extend([pikepdf.String(name), dests[name]])
        if "/Names" not in out.Root:
            out.Root.Names = pikepdf.Dictionary()
        out.Root.Names.Dests = out.make_indirect(pikepdf.Dictionary(Names=flat_dests))
    _outline(out, parts, first_pages)
    buffer = io.BytesIO()
    out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _outline(out: Any, parts: list[Part], first_pages: list[int]) -> None:
    """The outline again, from every part's headings: a heading nests under the last one of a
    lower level before it, wherever that was laid out."""
    import pikepdf  # noqa: PLC0415 (qpdf: only when a PDF is joined)

    pages = list(out.pages)
    with out.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, Any]] = []
        for part, first in zip(parts, first_pages, strict=True):
            for mark in part.bookmarks:
                page = pages[first + mark.page]
                item = pikepdf.OutlineItem(
                    mark.label,
                    destination=pikepdf.Array(
                        [page.obj, pikepdf.Name.XYZ, 0, round(mark.top, 2), 0]
                    ),
                )
                while stack and stack[-1][0] >= mark.level:
                    stack.pop()
                (stack[-1][1].children if stack else outline.root).append(item)
                stack.append((mark.level, item))


# --- building the parts in processes of their own ---------------------------------------------

# How long the parent waits for a part's process to say anything before giving up on the parts
# (and building the whole report in one process instead).
PART_TIMEOUT = 900.0


class PartsFailed(RuntimeError):
    """A part's process failed or went quiet: the caller builds the report in one piece."""


def _send(fd: int, header: dict[str, Any], body: bytes = b"") -> None:

    head = json.dumps(header).encode()
    message = len(head).to_bytes(8, "big") + len(body).to_bytes(8, "big") + head + body
    view = memoryview(message)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:

    chunks = []
    while size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise PartsFailed("A part's process went quiet.")
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise PartsFailed("A part's process ended without an answer.")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int, timeout: float) -> tuple[dict[str, Any], bytes]:

    deadline = time.monotonic() + timeout
    sizes = _read_exactly(fd, 16, deadline)
    head = json.loads(_read_exactly(fd, int.from_bytes(sizes[:8], "big"), deadline))
    body = _read_exactly(fd, int.from_bytes(sizes[8:], "big"), deadline)
    if "error" in head:
        raise PartsFailed(f"A part failed: {head['error']}")
    return head, body


@dataclass
class _Child:
    pid: int
    reads: int  # the child's answers
    writes: int  # its numbering


def _run_child(
    html: str,
    wanted: frozenset[str],
    render: Callable[[str], Any],
    write: Callable[[Any], bytes],
    answers: int,
    numbering_from: int,
) -> None:
    """In the forked process: lay the part out, say where it stands, wait for its numbers, write
    it. Never returns: the process ends here without running the parent's exit handlers (its
    database connections and files belong to the parent)."""

    status = 1
    try:

        def numbering(paginated: Paginated) -> tuple[int, int]:
            _send(answers, {"pages": paginated.pages, "anchors": paginated.anchors})
            reply, _ = _receive(numbering_from, PART_TIMEOUT)
            return int(reply["first"]), int(reply["total"])

        with numbered(numbering, anchors=wanted):
            document = render(html)
        data = write(document)
        marks = [[m.level, m.label, m.page, m.top] for m in bookmarks(document)]
        _send(answers, {"bookmarks": marks}, data)
        status = 0
    except BaseException:
        with contextlib.suppress(OSError):
            _send(answers, {"error": traceback.format_exc(limit=5)[-2000:]})
    finally:
        os._exit(status)


def build(
    front: Callable[[dict[str, int]], str],
    parts: list[str],
    *,
    anchors: frozenset[str],
    render: Callable[[str], Any],
    write: Callable[[Any], bytes],
    placeholders: list[frozenset[str]],
    tell: Callable[[int, str], None] = lambda _percent, _stage: None,
) -> bytes:
    """The PDF of `front` followed by `parts`, each part laid out by a process of its own.

    `front(numbers)` is the HTML of the first pages (the cover and the contents), given the page
    number of each of `anchors` laid out in the parts (laid out twice: once to learn its page
    count, then with the numbers; its links to them are kept by empty anchors the join drops). `render(html)` lays out a document, `write(document)` writes
    it. Raises PartsFailed when a part's process fails; nothing is left running."""

    # The front first: its page count is needed once the parts are paginated, and laying it out
    # here loads the fonts once, before the parts' processes are made, rather than in each.
    draft = render(front(dict.fromkeys(anchors, 0)))
    front_pages = len(draft.pages)
    del draft
    children: list[_Child] = []
    try:
        for html in parts:
            answers_r, answers_w = os.pipe()
            numbering_r, numbering_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the child's coverage is not collected)
                os.close(answers_r)
                os.close(numbering_w)
                _run_child(html, anchors, render, write, answers_w, numbering_r)
            os.close(answers_w)
            os.close(numbering_r)
            children.append(_Child(pid=pid, reads=answers_r, writes=numbering_w))
        paginated = [_receive(child.reads, PART_TIMEOUT)[0] for child in children]
        total = front_pages + sum(int(p["pages"]) for p in paginated)
        numbers: dict[str, int] = {}
        first = front_pages + 1
        for child, answer in zip(children, paginated, strict=True):
            _send(child.writes, {"first": first, "total": total})
            for name, page in answer["anchors"].items():
                numbers.setdefault(name, first + int(page) - 1)
            first += int(answer["pages"])
        tell(60, f"Laid out {total} pages in {len(parts)} parts side by side")
        with numbered(lambda _paginated: (1, total)):
            document = render(front(numbers))
        if len(document.pages) != front_pages:
            raise PartsFailed("The contents took another page once numbered.")
        joined = [Part(data=write(document), bookmarks=bookmarks(document), placeholders=anchors)]
        del document
        for child, kept_out in zip(children, placeholders, strict=True):
            head, data = _receive(child.reads, PART_TIMEOUT)
            marks = [Bookmark(int(a), str(b), int(c), float(d)) for a, b, c, d in head["bookmarks"]]
            joined.append(Part(data=data, bookmarks=marks, placeholders=kept_out))
        tell(90, "Joining the parts")
        return join(joined)
    finally:
        for child in children:
            for fd in (child.reads, child.writes):
                with contextlib.suppress(OSError):
                    os.close(fd)
            # Ended already when all went well; stopped here when not.
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
            os.waitpid(child.pid, 0)

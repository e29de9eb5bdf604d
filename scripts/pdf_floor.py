"""WeasyPrint's own floor for a report PDF (issue 21): a plain HTML document with the same matter
and the same number of pages as the report, rendered by WeasyPrint alone.

`floor_html(report_html)` keeps, from a report's print HTML, every text block a reader sees, in
order, as plain HTML: headings as headings; paragraphs, `div`/`span` leaf text, figure captions
and the like as paragraphs; list items as list items; a description list as one paragraph of
"term: description" pairs (the report prints its fact lists as one run of text); every table
with every cell (as plain text, header cells as `th`, spans kept) and its caption as a paragraph
above it (a caption left alone at a page's foot breaks WeasyPrint's tagging); and every
chart (the same SVG `<img>`s, with their alternative text). What print.css hides
(`display: none`, visually hidden) is left out, as are the page's title and the page numbers the
contents list gets from CSS. It is styled by a plain stylesheet (A4 with the report's margins,
one font at the report's two sizes, 9.5 pt for text and 8.5 pt in tables, collapsed borders,
the browser's own headings and lists, charts at their own size): no print CSS of ours, no
running strings, no `break-inside` or `break-after` rules, no floats or flex, no fixed column
widths. The one rule taken from print.css is where the report forces a page break
(`break-before: page` on a class): the floor breaks there too.

Laid out plainly the same matter can take fewer pages than the report, which leaves room at the
foot of a page rather than split a card, a short table or a row. `measure(report_html, pages=n)`
then brings the floor to the report's `n` pages with plain text padding at the end: one page of
the floor's own paragraphs after another, each after a forced break and holding as many
characters as the floor's own pages hold on average (text and table cells; at most what a page
takes), so a padding page is an average page of this document less its charts and tables. It
lays the floor out once to count its pages and, if it pads, times the second layout. With
`pages=None`, or when the floor already has as many pages as the report or more, nothing is
added, and nothing is ever cut. It writes the PDF tagged (PDF/UA-1, as every Summit PDF is) and
returns the CPU seconds, pages and bytes of the timed build.
A report within 1.5 × this floor spends no more than half as much again on its own layout, rules
and tags as WeasyPrint spends anyway on the same matter and pages.
"""

from __future__ import annotations

import gc
import html
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

FLOOR_CSS = """
@page { size: A4; margin: 24mm 15mm 20mm 15mm; }
html { font-family: "Liberation Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; font-size: 8.5pt; }
th, td { border: 0.5pt solid #b1b4b6; padding: 1mm; text-align: left; vertical-align: top; }
img { max-width: 100%; }
.break { break-before: page; }
"""

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"

# Characters of padding text a page of the floor holds at most (A4, 9.5 pt, about 100 characters
# a line, 55 lines less a paragraph's margins): a padding page does not run onto the next.
PAGE_TEXT_MAX = 2500

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
_SKIP = {"head", "script", "style", "template", "title", "noscript"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _print_css_classes(declaration: str) -> frozenset[str]:
    """The classes print.css gives `declaration` in a rule of plain class selectors."""
    try:
        css = PRINT_CSS.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: set[str] = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(declaration, body):
            for selector in selectors.split(","):
                match = re.fullmatch(r"\s*\.([\w-]+)\s*", selector)
                if match:
                    found.add(match[1])
    return frozenset(found)


HIDDEN = _print_css_classes(r"display:\s*none|clip:\s*rect\(0")
FORCED_BREAKS = _print_css_classes(r"break-before:\s*page")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def hidden(self) -> bool:
        style = self.attrs.get("style", "").replace(" ", "")
        return (
            self.tag in _SKIP
            or "hidden" in self.attrs
            or "display:none" in style
            or bool(self.classes() & HIDDEN)
        )


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def _inline(node: _Node) -> str:
    """All the visible text under `node`, blocks and all, as one run."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif not child.hidden():
            parts.append(" " + _inline(child) + " ")
    return _words("".join(parts))


def _img(node: _Node) -> str:
    src = node.attrs.get("src")
    if not src:
        return ""
    return f'<img src="{html.escape(src)}" alt="{html.escape(node.attrs.get("alt", ""))}">'


def _table(node: _Node) -> str:
    out: list[str] = []
    captions: list[str] = []

    def walk(parent: _Node) -> None:
        for child in parent.children:
            if isinstance(child, str) or child.hidden():
                continue
            if child.tag == "caption":
                captions.append(f"<p>{html.escape(_inline(child))}</p>")
            elif child.tag in ("thead", "tbody", "tfoot", "tr"):
                out.append(f"<{child.tag}>")
                walk(child)
                out.append(f"</{child.tag}>")
            elif child.tag in ("th", "td"):
                spans = "".join(
                    f' {name}="{html.escape(child.attrs[name])}"'
                    for name in ("colspan", "rowspan")
                    if name in child.attrs
                )
                out.append(f"<{child.tag}{spans}>{html.escape(_inline(child))}</{child.tag}>")
            elif child.tag not in ("colgroup", "col"):
                walk(child)

    walk(node)
    return "".join(captions) + "<table>" + "".join(out) + "</table>"


def _pairs(node: _Node) -> list[str]:
    """A description list's "term: description" pairs (rows wrapped in `div`s or not)."""
    pairs: list[list[str]] = []
    for child in node.children:
        if isinstance(child, str) or child.hidden():
            continue
        if child.tag == "dt":
            pairs.append([_inline(child)])
        elif child.tag == "dd":
            if pairs and len(pairs[-1]) == 1:
                pairs[-1].append(_inline(child))
            else:
                pairs.append(["", _inline(child)])
        else:
            pairs.extend([pair] for pair in _pairs(child))
    return [": ".join(part for part in pair if part) for pair in pairs if any(pair)]


class _Flattener:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.text: list[str] = []

    def flush(self, wrap: str) -> None:
        text = _words("".join(self.text))
        self.text = []
        if text:
            self.out.append(f"<{wrap}>{html.escape(text)}</{wrap}>")

    def visit(self, node: _Node, wrap: str) -> None:
        for child in node.children:
            if isinstance(child, str):
                self.text.append(child)
                continue
            if child.hidden():
                continue
            tag = child.tag
            if tag == "br":
                self.text.append(" ")
            elif tag == "img":
                self.flush(wrap)
                self.out.append(_img(child))
            elif tag not in _BLOCK:
                self.text.append(" ")
                self.visit(child, wrap)
                self.text.append(" ")
            else:
                self.flush(wrap)
                if child.classes() & FORCED_BREAKS:
                    self.out.append('<div class="break"></div>')
                if tag == "table":
                    self.out.append(_table(child))
                elif tag == "dl":
                    pairs = _pairs(child)
                    if pairs:
                        self.out.append(f"<p>{html.escape('; '.join(pairs))}</p>")
                elif tag in ("ul", "ol"):
                    self.out.append(f"<{tag}>")
                    self.visit(child, "li")
                    self.out.append(f"</{tag}>")
                elif tag in _HEADINGS or tag == "li":
                    self.visit(child, tag)
                    self.flush(tag)
                else:
                    self.visit(child, wrap)
                self.flush(wrap)


def floor_html(report_html: str, padding: str = "") -> str:
    """A plain document with the report's visible text, tables and charts (and `padding`, plain
    HTML put at the end)."""
    tree = _Tree()
    tree.feed(report_html)
    tree.close()
    flat = _Flattener()
    flat.visit(tree.root, "p")
    flat.flush("p")
    body = "\n".join(flat.out) + padding
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Floor</title></head><body>{body}</body></html>"
    )


def _visible_text(plain: str) -> str:
    """The words of a floor document's body (its text and cells), without the charts."""
    body = plain.split("<body>", 1)[-1]
    return _words(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def padding_html(plain: str, pages: int, per_page: int) -> str:
    """`pages` pages of plain text padding, each after a forced break, each `per_page`
    characters of `plain`'s own words (repeated as often as needed)."""
    words = re.findall(r"<p>(.*?)</p>", plain) or ["floor"]
    out: list[str] = []
    index = 0
    for _ in range(pages):
        out.append('<div class="break"></div>')
        size = 0
        while size < per_page:
            paragraph = words[index % len(words)]
            index += 1
            out.append(f"<p>{paragraph}</p>")
            size += len(html.unescape(paragraph))
    return "\n".join(out)


@dataclass(frozen=True)
class Floor:
    seconds: float  # CPU seconds of layout and writing
    pages: int
    size: int
    tables: int
    charts: int
    matter_pages: int = 0  # pages of the report's matter alone, before padding
    padding_pages: int = 0  # pages of plain text padding added to reach the report's pages


def measure(report_html: str, pages: int | None = None) -> Floor:
    """Lay out and write the floor of `report_html` with WeasyPrint alone, tagged (PDF/UA-1),
    padded to `pages` pages (the report's) when it has fewer."""
    from django.conf import settings
    from weasyprint import CSS, HTML

    from performance.common.pdf import UA, static_only

    def render(document_html: str):  # a WeasyPrint Document
        return HTML(
            string=document_html, base_url=str(settings.BASE_DIR), url_fetcher=static_only
        ).render(stylesheets=[CSS(string=FLOOR_CSS)])

    plain = floor_html(report_html)
    gc.collect()  # the caller's garbage (a report just built) is not the floor's to collect
    started = time.process_time()
    document = render(plain)
    matter_pages = len(document.pages)
    padded = 0
    if pages is not None and matter_pages < pages:
        padded = pages - matter_pages
        matter = plain
        per_page = min(PAGE_TEXT_MAX, len(_visible_text(matter)) // max(matter_pages, 1))
        while True:
            plain = floor_html(report_html, padding_html(matter, padded, per_page))
            del document
            gc.collect()  # nor the count's layout
            started = time.process_time()
            document = render(plain)
            if len(document.pages) <= pages or per_page < 100:
                break
            per_page //= 2  # a padding page ran onto the next: a safe margin, not seen so far
    data = document.write_pdf(pdf_variant=UA)
    return Floor(
        seconds=time.process_time() - started,
        pages=len(document.pages),
        size=len(data),
        tables=plain.count("<table>"),
        charts=plain.count("<img "),
        matter_pages=matter_pages,
        padding_pages=padded,
    )

"""Issue 14: WeasyPrint reads only our static files while it builds a PDF.

The fetcher refuses local files outside the static roots, any host (the cloud metadata address,
a loopback port) and `..` escapes; HTML that refers to them still renders, without them, and the
real print CSS is still found.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from performance.common import pdf

PRINT_CSS = Path(finders.find("css/print.css")).resolve()

REFUSED = [
    "file:///etc/passwd",
    "/etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:9/x",
    "https://example.org/static/css/print.css",
    "data:text/css,body{}",
    "/static/../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "file:///static/../etc/passwd",
    (Path(settings.BASE_DIR).resolve() / "config" / "settings.py").as_uri(),
    (Path(settings.BASE_DIR).resolve() / "static" / ".." / "config" / "settings.py").as_uri(),
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(pdf.RefusedFetch):
        pdf.static_only(url)


@pytest.mark.parametrize(
    "url",
    [
        "/static/css/print.css",
        "file:///static/css/print.css",  # "/static/…" joined onto the file base URL
        PRINT_CSS.as_uri(),
    ],
)
def test_the_fetcher_serves_the_static_files(url):
    fetched = pdf.static_only(url)
    assert fetched["string"] == PRINT_CSS.read_bytes()
    assert fetched["mime_type"] == "text/css"


def test_a_pdf_with_hostile_references_builds_without_reading_them(monkeypatch):
    from weasyprint import CSS, HTML

    asked: list[str] = []
    refused: list[str] = []

    def spy(url, *args, **kwargs):
        asked.append(url)
        try:
            return pdf.static_only(url, *args, **kwargs)
        except pdf.RefusedFetch:
            refused.append(url)
            raise

    html = """<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://127.0.0.1:9/x">
      <link rel="stylesheet" href="/static/css/print.css">
      </head><body><p>Report</p>
      <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      </body></html>"""
    data = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=spy).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS), url_fetcher=spy)]
    )
    assert data.startswith(b"%PDF")
    assert set(refused) == {
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "http://169.254.169.254/latest/meta-data/",
    }
    assert "file:///static/css/print.css" in asked
    assert "file:///static/css/print.css" not in refused


def test_the_pdf_writers_use_the_static_only_fetcher(monkeypatch):
    import weasyprint

    from performance.reports import exports as report_exports
    from reach_summit import exports as summit_exports

    seen: list[object] = []
    real = weasyprint.HTML

    def recording(*args, **kwargs):
        seen.append(kwargs.get("url_fetcher"))
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording)
    monkeypatch.setattr(report_exports, "html", lambda report, stamp: "<p>Report</p>")
    # (Built whole: a report laid out in parts lays out each part through the same _render.)
    data = report_exports.pdf(object(), report_exports.Stamp("DRAFT", "1 January 2026"), parts=1)
    assert data.startswith(b"%PDF")
    table = type("T", (), {"rows": [], "period": None})()
    monkeypatch.setattr(summit_exports, "render_to_string", lambda *a, **k: "<p>Poster</p>")
    assert summit_exports.poster_pdf(table, council_name="Test").startswith(b"%PDF")
    assert seen == [pdf.static_only, pdf.static_only]

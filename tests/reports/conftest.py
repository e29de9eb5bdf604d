"""Fixtures of the report tests: a small hand-made council (tests/reports/council.py)."""

from __future__ import annotations

import io

import pytest

from tests.reports.council import make_council


@pytest.fixture
def council(db):
    return make_council()


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, pages joined, whitespace collapsed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def cells(sheet) -> list:
    return [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]

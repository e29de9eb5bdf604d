"""Bulk returns as an Excel workbook (SPEC §5): download my due items (`download`), upload them
filled (`upload`); the sheet both know is in `layout`. Callers use the names below.
"""

from __future__ import annotations

from performance.collection.excel.download import build_workbook
from performance.collection.excel.layout import COLUMNS, ENTRY, LETTER, SHEET, XLSX_TYPE
from performance.collection.excel.upload import (
    MAX_BYTES,
    MAX_ERRORS_SHOWN,
    CellError,
    ImportResult,
    UploadRefused,
    check_file,
    import_workbook,
)

__all__ = [
    "COLUMNS",
    "ENTRY",
    "LETTER",
    "MAX_BYTES",
    "MAX_ERRORS_SHOWN",
    "SHEET",
    "XLSX_TYPE",
    "CellError",
    "ImportResult",
    "UploadRefused",
    "build_workbook",
    "check_file",
    "import_workbook",
]

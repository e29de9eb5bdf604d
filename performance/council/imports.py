"""import_council: a council workbook read, checked whole, then applied in one transaction.

`import_council(path=..., actor=..., dry_run=...)`:

1. Reads every sheet (`performance.council.SHEETS`, found by name; a missing one is an error).
   A sheet with a header and no rows is allowed: it changes nothing.
2. Checks every sheet before anything is written: each row's cells, duplicates within a sheet,
   and the references between sheets (a team, service, person, outcome, indicator or priority
   named in one sheet must be defined in its own sheet or already be in Summit). Every problem
   is named by sheet, row and column, and all are raised together as one `ImportRejected`.
3. Applies the sheets in one transaction, in `SHEETS` order, through the audited import services
   of each kind (`people_imports`, `indicators.imports`, `collection.imports`, `risks.imports`)
   and, for teams and the plans, audited writes here. A rejection by any service rolls the
   whole workbook back. `dry_run` applies and then rolls back, to count what would change.

The sheets the single-kind imports read are handed to them as CSV files of the cells as text
(a temporary directory), so each kind keeps one reader and its rules.

Idempotent: a row equal to what Summit has is left alone and audited nowhere, so the same
workbook imported twice changes nothing the second time. Items of a list without a key of their
own (measures and actions of an outcome, activities of an objective, milestones of an activity)
are matched by their position in that list; the import adds and updates, it never deletes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction

from performance.common.tables import (
    ImportRejected,
)
from performance.common.tables import _cell_text as cell_text
from performance.council import (
    checks,
    writes,
)
from performance.council import (
    sheets as council_sheets,
)
from performance.council.writes import CouncilImport, Counts

__all__ = ["CouncilImport", "Counts", "ImportRejected", "import_council", "read_sheets"]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --- reading the workbook ------------------------------------------------------------------------


def read_sheets(path: str | Path) -> tuple[str, dict[str, list[list[str]]]]:
    """(file name, each sheet's rows of cell text, the header first); a missing sheet, an
    unreadable file or a file of another type is an `ImportRejected`."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() != ".xlsx":
        raise ImportRejected([f"{name} is not an Excel workbook (.xlsx)."])
    if not path.is_file():
        raise ImportRejected([f"{path} does not exist."])
    import openpyxl  # noqa: PLC0415 (heavy; only a workbook needs it)

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise ImportRejected([f"{name} is not a readable Excel workbook (.xlsx)."]) from None
    try:
        by_name = {sheet.title.strip().casefold(): sheet for sheet in workbook.worksheets}
        every = council_sheets.names()  # the kernel's and those of the apps above it
        missing = [sheet for sheet in every if sheet.casefold() not in by_name]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise ImportRejected(
                [
                    f"{name}: missing sheet{plural} {', '.join(missing)} (a council workbook "
                    f"has the sheets {', '.join(every)}; a sheet may have a header alone)."
                ]
            )
        sheets = {}
        for sheet in every:
            rows = by_name[sheet.casefold()].iter_rows(values_only=True)
            sheets[sheet] = [[cell_text(value) for value in row] for row in rows]
        return name, sheets
    finally:
        workbook.close()


def import_council(*, path: str | Path, actor: Any = None, dry_run: bool = False) -> CouncilImport:
    """Check the workbook at `path` whole, then write it in one transaction (or, with
    `dry_run`, write it and roll back). Raises `ImportRejected` naming every problem by sheet,
    row and column; nothing is written then."""
    name, sheets = read_sheets(path)
    result = CouncilImport(file_name=name, dry_run=dry_run)
    with tempfile.TemporaryDirectory(prefix="council-") as directory:
        checked = checks.check(name, sheets, Path(directory))
        try:
            with transaction.atomic():
                writes.apply(checked, result, actor)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return result

"""Sheets of the council workbook that belong to apps above the kernel (issue 18).

The kernel may not import them (Reach the Summit sits above the performance areas), so an app
registers a receiver of `hooks.COUNCIL_SHEETS` returning `Sheet`s. Each one is exported after
the kernel's sheets, read and checked with them (its references resolved against the teams,
people and indicators of the other sheets or of Summit) and applied after them in the same
transaction. A checker names its problems as `CellErrors` does ("Row 7, column team: …"); the
kernel prefixes the sheet's name. An applier must be idempotent: a row equal to what Summit
holds is left alone and audited nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from performance.common import hooks
from performance.common.tables import Table

Cell = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class Context:
    """What a checker may refer to: every sheet read (by name) and the names, casefolded,
    defined by the workbook's Teams, People and Indicators sheets or already in Summit."""

    tables: dict[str, Table]
    teams: set[str]
    people: set[str]
    indicators: set[str]


@dataclass(frozen=True, slots=True)
class Sheet:
    """One more sheet: `export()` gives its rows (in a fixed order, so the same data gives the
    same cells); `check(table, context)` gives (what to apply, problems) and writes nothing;
    `apply(checked, actor=, reason=)` writes it and gives (created, changed, left alone)."""

    name: str
    columns: tuple[str, ...]
    export: Callable[[], list[list[Cell]]]
    check: Callable[[Table, Context], tuple[Any, list[str]]]
    apply: Callable[..., tuple[int, int, int]]
    optional: tuple[str, ...] = ()
    about: str = ""
    choices: dict[str, list[str]] = field(default_factory=dict)


def extra() -> list[Sheet]:
    """The registered sheets, in the hook's order."""
    return [sheet for receiver in hooks.get(hooks.COUNCIL_SHEETS) for sheet in receiver()]


def names() -> tuple[str, ...]:
    """Every sheet of the workbook, the kernel's first, in the order they are applied."""
    from performance.council import SHEETS  # noqa: PLC0415 (the package imports the services)

    return (*SHEETS, *(sheet.name for sheet in extra()))

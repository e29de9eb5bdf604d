"""Import of indicator definitions and their targets from .csv and .xlsx files (SPEC §11, §12).

`import_indicators(path=...)` reads the whole file (`performance.common.tables`), validates every
row against the model's choices and the period rules, and only then writes, inside one
transaction with the audit trail. Any error anywhere rejects the whole file: nothing is
half-imported. Errors are collected, not stopped at the first, and raised together as one
`ImportRejected` whose `errors` name the row and the column. Values are imported by
`performance.collection.imports`.

The optional columns (issue 18) carry an indicator's validation settings: `year_to_date` and
`corporate_health` (issue 20) are the indicator's own fields; `allow_negative, allow_over_100, whole_numbers, minimum, maximum,
change_threshold` are data quality's validation rule, which the entry rules read, written
through the SET_INDICATOR_SETTINGS hook (this layer may not import data quality). A column that
is absent leaves the setting as it is; an empty cell sets the default (no, or no bound).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from performance.common import audit, hooks
from performance.common.tables import (
    MAX_DECIMALS,
    CellErrors,
    Row,
    Table,
    a_or_an,
    number_cell,
    period_cell,
    read_table,
    text_cell,
)

# Re-exported: what callers of this import catch (`imports.ImportRejected`).
from performance.common.tables import ImportRejected as ImportRejected
from performance.core import periods
from performance.core.periods import Frequency
from performance.models import Indicator, Target, Team

INDICATOR_COLUMNS = (
    "code",
    "title",
    "kind",
    "perspective",
    "aspect",
    "polarity",
    "unit",
    "decimals",
    "frequency",
    "aggregation",
    "team",
    "tolerance",
    "baseline",
    "baseline_period",
)

# Optional columns (SPEC §12, issue 18): yes/no settings, then bounds and the change threshold.
YES_NO_COLUMNS = (
    "year_to_date",
    "allow_negative",
    "allow_over_100",
    "whole_numbers",
    "corporate_health",
)
# Optional yes/no columns that are the indicator's own fields, not data quality's settings.
OWN_COLUMNS = ("year_to_date", "corporate_health")
OPTION_COLUMNS = (*YES_NO_COLUMNS, "minimum", "maximum", "change_threshold")
# The name the council workbook (`performance.council`) reads.
INDICATOR_OPTIONAL_COLUMNS = OPTION_COLUMNS
_DEFAULTS: dict[str, Any] = {
    "allow_negative": False,
    "allow_over_100": False,
    "whole_numbers": False,
    "minimum": None,
    "maximum": None,
    "change_threshold": None,
}
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}

# Enumerated columns of import_indicators and the model choices they must match.
CHOICES: dict[str, type[Any]] = {
    "kind": Indicator.Kind,
    "perspective": Indicator.Perspective,
    "aspect": Indicator.Aspect,
    "polarity": Indicator.PolarityChoice,
    "unit": Indicator.Unit,
    "frequency": Indicator.FrequencyChoice,
    "aggregation": Indicator.AggregationChoice,
}
REQUIRED_INDICATOR_CELLS = ("code", "title", *CHOICES)

_TARGET_RE = re.compile(r"target\s+(.*)", re.IGNORECASE)
_FREQUENCY_ORDER = {Frequency.MONTHLY: 0, Frequency.QUARTERLY: 1, Frequency.ANNUAL: 2}


@dataclass(slots=True)
class IndicatorImport:
    """What `import_indicators` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    targets_created: int = 0
    targets_updated: int = 0
    settings_changed: int = 0  # indicators whose validation settings changed

    @property
    def indicators(self) -> int:
        return self.created + self.updated + self.unchanged


def _choice(errors: CellErrors, row: Row, column: str, *, required: bool) -> str | None:
    text = row.get(column)
    if not text:
        if required:
            errors.add(row, column, "a value is required.")
        return None
    options = CHOICES[column].values
    for option in options:
        if option.lower() == text.lower():
            return option
    errors.add(row, column, f"{text!r} is not one of {', '.join(options)}.")
    return None


# --- import_indicators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _IndicatorRow:
    row: Row
    fields: dict[str, Any]
    targets: tuple[tuple[periods.Period, Decimal, str], ...]  # (period, value, column)
    settings: dict[str, Any]  # the validation settings of the columns present


def import_indicators(*, path: str | Path, actor=None) -> IndicatorImport:
    """Create or update indicators and upsert their targets from `path` (SPEC §12).

    An existing code is updated (audited field by field), a new one created (audited as a
    creation). Empty optional cells mean the default: no team, 0 decimals, the default 10%
    tolerance, no baseline. An empty target cell leaves that period's target as it is.
    All or nothing: raises `ImportRejected` listing every error, and then writes nothing.
    """
    table = read_table(path, required=INDICATOR_COLUMNS, optional=OPTION_COLUMNS, extra=_TARGET_RE)
    errors = CellErrors(table)
    target_periods = _target_columns(table, errors)
    errors.raise_if_any()

    teams_by_key: dict[str, Team] = {}
    for team in Team.objects.all():
        teams_by_key[team.name.casefold()] = team
        teams_by_key.setdefault(team.slug.casefold(), team)

    present = [column for column in OPTION_COLUMNS if column in table.headers]
    stored = _stored_settings(table) if present else {}
    parsed: list[_IndicatorRow] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        item = _indicator_row(errors, row, teams_by_key, target_periods)
        if item is not None and present:
            _settings_cells(errors, item, present, stored.get(row.get("code"), {}))
        code = row.get("code")
        if code:
            if code in first_row_of:
                errors.add(row, "code", f"{code!r} is already defined in row {first_row_of[code]}.")
            else:
                first_row_of[code] = row.number
        if item is not None:
            parsed.append(item)
    errors.raise_if_any()
    return _write_indicators(parsed, actor=actor, reason=f"Imported from {table.name}")


def _target_columns(table: Table, errors: CellErrors) -> dict[str, periods.Period]:
    result = {}
    seen: dict[str, str] = {}
    for column, written in table.headers.items():
        if not column.startswith("target "):
            continue
        text = written.split(None, 1)[1] if len(written.split(None, 1)) == 2 else ""
        try:
            period = periods.parse(text)
        except periods.PeriodError as error:
            errors.messages.append(f"Header row, column {written}: {error}.")
            continue
        if str(period) in seen:
            errors.messages.append(
                f"Header row, column {written}: the same period as column {seen[str(period)]}."
            )
            continue
        seen[str(period)] = written
        result[column] = period
    return result


def _indicator_row(
    errors: CellErrors,
    row: Row,
    teams_by_key: dict[str, Team],
    target_periods: dict[str, periods.Period],
) -> _IndicatorRow | None:
    before = len(errors.messages)
    fields: dict[str, Any] = {
        "title": text_cell(errors, row, "title", max_length=250, required=True),
    }
    text_cell(errors, row, "code", max_length=20, required=True)
    for column in CHOICES:
        fields[column] = _choice(errors, row, column, required=True)

    decimals = number_cell(errors, row, "decimals", places=0, minimum=Decimal(0))
    if decimals is not None and decimals > MAX_DECIMALS:
        errors.add(row, "decimals", f"{row.get('decimals')!r} must be from 0 to {MAX_DECIMALS}.")
    fields["decimals"] = int(decimals) if decimals is not None else 0

    team_text = row.get("team")
    team = teams_by_key.get(team_text.casefold()) if team_text else None
    if team_text and team is None:
        errors.add(row, "team", f"no team is called {team_text!r} (by name or slug).")
    fields["team"] = team

    fields["tolerance"] = number_cell(
        errors, row, "tolerance", places=2, digits=6, minimum=Decimal(0)
    )
    fields["baseline"] = number_cell(errors, row, "baseline")
    baseline_period = row.get("baseline_period")
    parsed_baseline = (
        period_cell(errors, row, "baseline_period", baseline_period) if baseline_period else None
    )
    fields["baseline_period"] = str(parsed_baseline) if parsed_baseline else ""

    frequency = fields["frequency"]
    data_only = fields["polarity"] == Indicator.PolarityChoice.NONE
    targets = []
    for column, period in target_periods.items():
        if not row.get(column):
            continue
        value = number_cell(errors, row, column)
        if data_only:
            errors.add(row, column, "a data-only indicator (polarity none) has no targets.")
            continue
        if (
            frequency is not None
            and _FREQUENCY_ORDER[period.kind] < _FREQUENCY_ORDER[Frequency(frequency)]
        ):
            errors.add(
                row,
                column,
                f"{period} is {a_or_an(period.kind)} period, finer than this {frequency} indicator.",
            )
            continue
        if value is not None:
            targets.append((period, value, column))
    if len(errors.messages) > before:
        return None
    return _IndicatorRow(row=row, fields=fields, targets=tuple(targets), settings={})


def option_cells(indicators: Iterable[Indicator]) -> dict[int, dict[str, str]]:
    """The optional columns' cells of each indicator, as an export writes them so that this
    import reads them back unchanged: `yes`/`no`, numbers without trailing zeros, empty for no
    bound. One query for all the settings."""
    indicators = list(indicators)
    settings = hooks.one(hooks.INDICATOR_SETTINGS)(indicators)
    cells: dict[int, dict[str, str]] = {}
    for indicator in indicators:
        row = {column: "yes" if getattr(indicator, column) else "no" for column in OWN_COLUMNS}
        for column, value in settings[indicator.pk].items():
            if isinstance(value, bool):
                row[column] = "yes" if value else "no"
            elif value is None:
                row[column] = ""
            else:
                text = f"{Decimal(value).normalize():f}"
                row[column] = "0" if text in ("-0", "0") else text
        cells[indicator.pk] = row
    return cells


def _stored_settings(table: Table) -> dict[str, dict[str, Any]]:
    """The validation settings of the file's indicators already in Summit, by code: a setting
    whose column is absent keeps its stored value, and the check sees them all together."""
    existing = Indicator.objects.filter(code__in=[row.get("code") for row in table.rows])
    by_id = hooks.one(hooks.INDICATOR_SETTINGS)(existing)
    return {i.code: by_id[i.pk] for i in existing}


def _yes_no(errors: CellErrors, row: Row, column: str) -> bool | None:
    text = row.get(column).strip().lower()
    if not text:
        return False
    if text in _YES:
        return True
    if text in _NO:
        return False
    errors.add(row, column, f"{row.get(column)!r} is not yes or no.")
    return None


def _settings_cells(
    errors: CellErrors, item: _IndicatorRow, present: list[str], stored: dict[str, Any]
) -> None:
    """Read the optional columns of `item`'s row into its fields and settings; contradictions
    (a negative minimum that negatives are not allowed for, minimum above maximum…) are errors
    naming the column."""
    row = item.row
    before = len(errors.messages)
    read: dict[str, Any] = {}
    for column in present:
        if column in YES_NO_COLUMNS:
            read[column] = _yes_no(errors, row, column)
        elif column == "change_threshold":
            read[column] = number_cell(errors, row, column, places=2, digits=6, minimum=Decimal(0))
        else:
            read[column] = number_cell(errors, row, column)
    if len(errors.messages) > before:
        return
    for column in OWN_COLUMNS:
        if column in read:
            item.fields[column] = read.pop(column)
    # Only what differs from what is stored is written: the same file twice writes nothing.
    item.settings.update({k: v for k, v in read.items() if stored.get(k, _DEFAULTS[k]) != v})
    said_no = row.get("allow_negative").strip().lower() in _NO
    problems = hooks.one(hooks.CHECK_INDICATOR_SETTINGS)(
        unit=item.fields["unit"],
        decimals=item.fields["decimals"],
        polarity=item.fields["polarity"],
        settings={**stored, **read},
        said_no_to_negative=said_no,
    )
    for column, (_rule, message) in problems.items():
        errors.add(row, column, f"{message}.")


_INDICATOR_AUDIT_FIELDS = ["code", *INDICATOR_COLUMNS[1:]]
_TARGET_AUDIT_FIELDS = ["indicator", "period", "period_start", "value"]


@transaction.atomic
def _write_indicators(items: Iterable[_IndicatorRow], *, actor, reason: str) -> IndicatorImport:
    items = list(items)
    result = IndicatorImport()
    existing = Indicator.objects.in_bulk(
        [item.row.get("code") for item in items], field_name="code"
    )
    targets_of: dict[tuple[int, str], Target] = {
        (target.indicator_id, target.period): target
        for target in Target.objects.filter(indicator__in=list(existing.values()))
    }
    for item in items:
        code = item.row.get("code")
        indicator = existing.get(code)
        if indicator is None:
            indicator = Indicator.objects.create(code=code, **item.fields)
            audit.created(
                actor=actor, instance=indicator, fields=_INDICATOR_AUDIT_FIELDS, reason=reason
            )
            result.created += 1
        elif audit.update(actor=actor, instance=indicator, reason=reason, **item.fields):
            result.updated += 1
        else:
            result.unchanged += 1
        if item.settings and hooks.one(hooks.SET_INDICATOR_SETTINGS)(
            indicator=indicator, settings=item.settings, actor=actor, reason=reason
        ):
            result.settings_changed += 1
        for period, value, _column in item.targets:
            target = targets_of.get((indicator.id, str(period)))
            if target is None:
                target = Target.objects.create(
                    indicator=indicator, period=str(period), period_start=period.start, value=value
                )
                audit.created(
                    actor=actor, instance=target, fields=_TARGET_AUDIT_FIELDS, reason=reason
                )
                result.targets_created += 1
            elif audit.update(actor=actor, instance=target, reason=reason, value=value):
                result.targets_updated += 1
    return result

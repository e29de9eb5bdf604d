"""The League tables sheet: the frozen snapshots, exactly as frozen."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from performance.common import cache
from performance.common.tables import CellErrors, Table
from performance.council.sheets import Context
from performance.models import Indicator, Team
from reach_summit.council.cells import (
    AWARDS,
    LEVELS,
    PERSPECTIVES,
    TIE_BREAKS,
    YES,
    decimal_cell,
    duplicate,
    number,
    quarter_cell,
    required,
    save,
    whole,
    yes,
)
from reach_summit.models import (
    Improvement,
    Snapshot,
    SnapshotRow,
)

# --- League tables --------------------------------------------------------------------------------


def _improvement_numbers() -> dict[int, tuple[int, str, int]]:
    """Improvement id → (team id, quarter, its number within the team and quarter, from 1)."""
    numbers: dict[int, tuple[int, str, int]] = {}
    seen: dict[tuple[int, str], int] = defaultdict(int)
    for pk, team_id, quarter in Improvement.objects.order_by("id").values_list(
        "id", "team_id", "quarter"
    ):
        seen[(team_id, quarter)] += 1
        numbers[pk] = (team_id, quarter, seen[(team_id, quarter)])
    return numbers


def _portable(explanation: dict[str, Any], numbers: dict[int, tuple[int, str, int]]) -> str:
    """The explanation as JSON without database ids: an indicator is named by its code (in the
    source already), an improvement by its number within its team and quarter."""
    lines = []
    for line in explanation.get("lines", []):
        entry = dict(line)
        if isinstance(entry.get("source"), dict):
            entry["source"] = {k: v for k, v in entry["source"].items() if k != "indicator_id"}
        if "improvement_id" in entry:
            found = numbers.get(entry.pop("improvement_id") or 0)
            entry["improvement_number"] = found[2] if found else None
        lines.append(entry)
    return json.dumps({**explanation, "lines": lines}, sort_keys=True, separators=(",", ":"))


def _restored(
    text: str,
    team_id: int | None,
    quarter: str,
    codes: dict[str, int],
    improvements: dict[tuple[int, str], list[int]],
) -> dict[str, Any]:
    explanation = json.loads(text) if text else {}
    lines = []
    for line in explanation.get("lines", []):
        entry = dict(line)
        source = entry.get("source")
        if isinstance(source, dict) and source.get("code") in codes:
            entry["source"] = {**source, "indicator_id": codes[source["code"]]}
        if "improvement_number" in entry:
            number = entry.pop("improvement_number")
            ids = improvements.get((team_id or 0, quarter), [])
            entry["improvement_id"] = ids[number - 1] if number and number <= len(ids) else None
        lines.append(entry)
    if "lines" in explanation:
        explanation["lines"] = lines
    return explanation


def export_league_tables() -> list[list[Any]]:
    numbers = _improvement_numbers()
    rows = SnapshotRow.objects.select_related("snapshot").order_by(
        "snapshot__quarter_start", "position"
    )
    return [
        [
            r.snapshot.quarter,
            r.position,
            r.team_slug,
            r.team_name,
            r.rank,
            yes(r.joint),
            r.customer,
            r.financial,
            r.process,
            r.learning,
            number(r.improvements),
            r.late_complaints,
            number(r.score),
            r.award,
            r.snapshot.frozen_at.astimezone(dt.UTC).isoformat(),
            r.snapshot.top_decided_by,
            r.snapshot.recomputations,
            r.snapshot.last_reason,
            _portable(r.explanation, numbers),
        ]
        for r in rows
    ]


_SNAPSHOT_FIELDS = ("frozen_at", "top_decided_by", "recomputations", "last_reason")


def check_league_tables(
    table: Table, context: Context
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Snapshots by quarter: their own fields (the same on every row of the quarter) and rows."""
    errors = CellErrors(table)
    snapshots: dict[str, dict[str, Any]] = {}
    first: dict[Any, int] = {}
    for row in table.rows:
        before = len(errors.messages)
        quarter = quarter_cell(errors, row, "quarter")
        position = whole(errors, row, "position")
        slug = required(errors, row, "team")
        name = required(errors, row, "team_name")
        rank = whole(errors, row, "rank")
        joint = row.get("joint").casefold()
        if joint not in YES:
            errors.add(row, "joint", f"{row.get('joint')!r} is not yes or no.")
        levels = {}
        for column in (*PERSPECTIVES, "learning"):
            levels[column] = row.get(column).casefold()
            if levels[column] not in LEVELS:
                errors.add(row, column, f"{row.get(column)!r} is not one of {', '.join(LEVELS)}.")
        improvements = decimal_cell(errors, row, "improvements")
        late = whole(errors, row, "late_complaints", least=0)
        score = decimal_cell(errors, row, "score")
        award = row.get("award").casefold()
        if award not in AWARDS:
            errors.add(row, "award", f"{row.get('award')!r} is not empty, top or runner_up.")
        frozen_at = None
        try:
            frozen_at = dt.datetime.fromisoformat(required(errors, row, "frozen_at") or "x")
            if frozen_at.tzinfo is None:
                frozen_at = frozen_at.replace(tzinfo=dt.UTC)
        except ValueError:
            if row.get("frozen_at"):
                errors.add(row, "frozen_at", f"{row.get('frozen_at')!r} is not a date and time.")
        decided = row.get("top_decided_by")
        if decided and decided not in TIE_BREAKS:
            errors.add(row, "top_decided_by", f"{decided!r} is not one of {', '.join(TIE_BREAKS)}.")
        recomputations = whole(errors, row, "recomputations", least=0)
        try:
            explanation = json.loads(row.get("explanation") or "{}")
            if not isinstance(explanation, dict):
                raise ValueError
        except ValueError:
            errors.add(row, "explanation", "not the JSON of an explanation (an object).")
        if quarter is not None and slug:
            duplicate(errors, row, "team", (str(quarter), slug.casefold()), first)
        if quarter is not None and position is not None:
            duplicate(errors, row, "position", (str(quarter), position), first)
        if len(errors.messages) != before or quarter is None:
            continue
        own = {
            "frozen_at": frozen_at,
            "top_decided_by": decided,
            "recomputations": recomputations,
            "last_reason": row.get("last_reason"),
        }
        snapshot = snapshots.setdefault(str(quarter), {**own, "start": quarter.start, "rows": []})
        for column in _SNAPSHOT_FIELDS:
            if snapshot[column] != own[column]:
                errors.add(row, column, f"another row of {quarter} has {snapshot[column]!r}.")
        snapshot["rows"].append(
            {
                "position": position,
                "team_slug": slug,
                "team_name": name,
                "rank": rank,
                "joint": YES[joint],
                **levels,
                "improvements": improvements,
                "late_complaints": late,
                "score": score,
                "award": award,
                "explanation": row.get("explanation"),
            }
        )
    return snapshots, errors.messages


def apply_league_tables(
    checked: dict[str, dict[str, Any]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    """Create or correct the frozen snapshots, a row per team (counted by row)."""
    counts = [0, 0, 0]
    teams = {t.slug.casefold(): t for t in Team.objects.all()}
    codes = dict(Indicator.objects.values_list("code", "id"))
    improvements: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, team_id, quarter in Improvement.objects.order_by("id").values_list(
        "id", "team_id", "quarter"
    ):
        improvements[(team_id, quarter)].append(pk)
    existing = {s.quarter: s for s in Snapshot.objects.all()}
    rows = defaultdict(dict)
    for row in SnapshotRow.objects.all():
        rows[row.snapshot_id][row.team_slug.casefold()] = row
    for quarter, item in checked.items():
        snapshot = save(
            [0, 0, 0],
            actor,
            reason,
            existing.get(quarter),
            lambda **v: Snapshot(quarter=quarter, quarter_start=item["start"], **v),  # noqa: B023
            **{column: item[column] for column in _SNAPSHOT_FIELDS},
        )
        had = rows.get(snapshot.pk, {})
        for cells in item["rows"]:
            team = teams.get(cells["team_slug"].casefold())
            values = {
                **cells,
                "team": team,
                "explanation": _restored(
                    cells["explanation"], team.pk if team else None, quarter, codes, improvements
                ),
            }
            save(
                counts,
                actor,
                reason,
                had.get(cells["team_slug"].casefold()),
                lambda **v: SnapshotRow(snapshot=snapshot, **v),  # noqa: B023
                **values,
            )
    if counts[0] or counts[1]:
        cache.bump("reach_summit")
    return counts[0], counts[1], counts[2]

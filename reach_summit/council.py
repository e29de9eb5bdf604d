"""Reach the Summit's sheets of the council workbook (issue 18), registered on the kernel's
`hooks.COUNCIL_SHEETS` (the kernel may not import this app).

Applied in this order, after the kernel's sheets (whose teams, people and indicators they name):
- `Complaint timescales`: stage, working_days (the configured stages; others use SPEC §6's).
- `Scorecards`: team, year, customer, financial, process (indicator codes).
- `Complaints`: reference, team, stage, received, due, responded. `due` is carried as stored
  (worked out from the timescale in force when the complaint was recorded); empty, it is worked
  out from the timescales now.
- `Improvements`: team, quarter, title, description, points, approved_by, approved_on. An
  improvement has no key of its own: it is matched by its order within its team and quarter.
- `League tables`: the frozen snapshots, a row per team and quarter, exactly as frozen (docs/
  decisions.md: re-freezing from the imported data would not give the same table once data was
  corrected after a freeze). The `explanation` column is the row's explanation as JSON, with
  database ids replaced by what names them again in another database (the indicator's code, the
  improvement's number within its team and quarter).

Every applier leaves a row equal to what Summit holds alone and audits nothing for it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from performance.common import audit, cache
from performance.common.tables import CellErrors, Row, Table, parse_number
from performance.core import periods
from performance.core.calculations import Level
from performance.council.sheets import Context, Sheet
from performance.models import Indicator, Team
from reach_summit import calculations, timescales
from reach_summit.models import (
    Complaint,
    ComplaintTimescale,
    Improvement,
    Scorecard,
    Snapshot,
    SnapshotRow,
)

TIMESCALES = "Complaint timescales"
SCORECARDS = "Scorecards"
COMPLAINTS = "Complaints"
IMPROVEMENTS = "Improvements"
LEAGUE_TABLES = "League tables"

TIMESCALE_COLUMNS = ("stage", "working_days")
SCORECARD_COLUMNS = ("team", "year", "customer", "financial", "process")
COMPLAINT_COLUMNS = ("reference", "team", "stage", "received", "due", "responded")
IMPROVEMENT_COLUMNS = (
    "team",
    "quarter",
    "title",
    "description",
    "points",
    "approved_by",
    "approved_on",
)
LEAGUE_COLUMNS = (
    "quarter",
    "position",
    "team",
    "team_name",
    "rank",
    "joint",
    "customer",
    "financial",
    "process",
    "learning",
    "improvements",
    "late_complaints",
    "score",
    "award",
    "frozen_at",
    "top_decided_by",
    "recomputations",
    "last_reason",
    "explanation",
)
PERSPECTIVES = ("customer", "financial", "process")
LEVELS = [level.value for level in Level]
AWARDS = [award.value for award in calculations.Award]
TIE_BREAKS = [tie.value for tie in calculations.TieBreak]
LONDON = ZoneInfo("Europe/London")
_YEAR = re.compile(r"(\d{4})/(\d{2})")
_QUARTER = re.compile(r"(\d{4})/(\d{2}) Q([1-4])")
_YES = {"yes": True, "no": False}


# --- shared helpers -------------------------------------------------------------------------------


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _number(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value.normalize()


def _teams() -> dict[str, Team]:
    """Teams by casefolded name and slug."""
    found: dict[str, Team] = {}
    for team in Team.objects.all():
        found.setdefault(team.name.casefold(), team)
        found.setdefault(team.slug.casefold(), team)
    return found


def _people() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for user in get_user_model().objects.order_by("pk"):
        found.setdefault(user.username.casefold(), user)
        if user.email:
            found.setdefault(user.email.casefold(), user)
    return found


def _required(errors: CellErrors, row: Row, column: str) -> str:
    text = row.get(column)
    if not text:
        errors.add(row, column, "a value is required.")
    return text


def _team(errors: CellErrors, row: Row, context: Context) -> str:
    text = _required(errors, row, "team")
    if text and text.casefold() not in context.teams:
        errors.add(
            row, "team", f"team {text!r} is defined in no Teams sheet row and not in Summit."
        )
    return text


def _whole(errors: CellErrors, row: Row, column: str, *, least: int = 1) -> int | None:
    text = _required(errors, row, column)
    if not text:
        return None
    try:
        number = int(text.removesuffix(".0"))
    except ValueError:
        errors.add(row, column, f"{text!r} is not a whole number.")
        return None
    if number < least:
        errors.add(row, column, f"{number} is below {least}.")
        return None
    return number


def _date(errors: CellErrors, row: Row, column: str, *, required: bool) -> dt.date | None:
    text = row.get(column)
    if not text:
        if required:
            errors.add(row, column, "a value is required.")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(row, column, f"{text!r} is not a date written YYYY-MM-DD.")
        return None


def _quarter(errors: CellErrors, row: Row, column: str) -> periods.Period | None:
    text = _required(errors, row, column)
    match = _QUARTER.fullmatch(text)
    if not text:
        return None
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        errors.add(row, column, f"{text!r} is not a quarter written like 2024/25 Q1.")
        return None
    return periods.Period.for_quarter(int(match[1]), int(match[3]))


def _decimal(errors: CellErrors, row: Row, column: str) -> Decimal | None:
    text = _required(errors, row, column)
    if not text:
        return None
    try:
        # At the two places the models keep, so an unchanged 0.5 is not "changed" from 0.50.
        return parse_number(text, places=2).quantize(Decimal("0.01"))
    except ValueError as error:
        errors.add(row, column, f"{error}.")
        return None


def _save(
    counts: list[int],
    actor: Any,
    reason: str,
    instance: Any,
    make: Any,
    *,
    unchecked: tuple[str, ...] = (),
    **values: Any,
) -> Any:
    """Create `make(**values)` (audited) or update `instance` with `values` (audited when
    anything changed); counts [created, changed, left alone]. `unchecked` fields may hold what
    the model's forms refuse but the database keeps (an approver who has left: empty)."""
    if instance is None:
        created = make(**values)
        created.full_clean(exclude=list(unchecked))
        created.save()
        audit.created(actor=actor, instance=created, fields=list(values), reason=reason)
        counts[0] += 1
        return created
    changed = audit.update(actor=actor, instance=instance, reason=reason, **values)
    counts[1 if changed is not None else 2] += 1
    return instance


def _duplicate(errors: CellErrors, row: Row, column: str, key: Any, first: dict[Any, int]) -> None:
    if key in first:
        errors.add(row, column, f"{row.get(column)!r} is already in row {first[key]}.")
    first.setdefault(key, row.number)


# --- Complaint timescales ---------------------------------------------------------------------------


def export_timescales() -> list[list[Any]]:
    return [[t.stage, t.working_days] for t in ComplaintTimescale.objects.order_by("stage")]


def check_timescales(table: Table, context: Context) -> tuple[dict[int, int], list[str]]:
    errors = CellErrors(table)
    found: dict[int, int] = {}
    first: dict[Any, int] = {}
    for row in table.rows:
        stage = _whole(errors, row, "stage")
        days = _whole(errors, row, "working_days")
        if stage is not None:
            _duplicate(errors, row, "stage", stage, first)
        if stage is not None and days is not None:
            found[stage] = days
    return found, errors.messages


def apply_timescales(checked: dict[int, int], *, actor: Any, reason: str) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    existing = {t.stage: t for t in ComplaintTimescale.objects.all()}
    for stage, days in checked.items():
        _save(
            counts,
            actor,
            reason,
            existing.get(stage),
            lambda **v: ComplaintTimescale(stage=stage, **v),  # noqa: B023 (called at once)
            working_days=days,
        )
    return counts[0], counts[1], counts[2]


# --- Scorecards -----------------------------------------------------------------------------------


def export_scorecards() -> list[list[Any]]:
    cards = Scorecard.objects.select_related("team", "customer", "financial", "process")
    return [
        [card.team.name, card.year, card.customer.code, card.financial.code, card.process.code]
        for card in cards.order_by("team__name", "year")
    ]


def _indicator_facts(context: Context) -> dict[str, tuple[str, str, str]]:
    """(perspective, team, polarity) of every indicator code, casefolded: the Indicators
    sheet's over Summit's."""
    facts = {
        code.casefold(): (perspective, (team or "").casefold(), polarity)
        for code, perspective, team, polarity in Indicator.objects.values_list(
            "code", "perspective", "team__name", "polarity"
        )
    }
    table = context.tables.get("Indicators")
    for row in table.rows if table else ():
        facts[row.get("code").casefold()] = (
            row.get("perspective").casefold(),
            row.get("team").casefold(),
            row.get("polarity").casefold(),
        )
    return facts


def _team_keys(context: Context) -> dict[str, str]:
    """Each team's name and slug (casefolded) → one key for the team, the Teams sheet's over
    Summit's, so a scorecard may name a team by its name and its indicator by its slug."""
    keys: dict[str, str] = {}
    for name, slug in Team.objects.values_list("name", "slug"):
        keys[name.casefold()] = keys[slug.casefold()] = slug.casefold()
    teams = context.tables.get("Teams")
    for row in teams.rows if teams else ():
        slug = (row.get("slug") or slugify(row.get("name"))).casefold()
        keys[row.get("name").casefold()] = keys[slug] = slug
    return keys


def check_scorecards(table: Table, context: Context) -> tuple[list[dict[str, str]], list[str]]:
    errors = CellErrors(table)
    facts = _indicator_facts(context)
    keys = _team_keys(context)
    items: list[dict[str, str]] = []
    first: dict[Any, int] = {}
    for row in table.rows:
        before = len(errors.messages)
        team = _team(errors, row, context)
        year = _required(errors, row, "year")
        match = _YEAR.fullmatch(year)
        if year and (not match or (int(match[1]) + 1) % 100 != int(match[2])):
            errors.add(row, "year", f"{year!r} is not a financial year written like 2024/25.")
        for perspective in PERSPECTIVES:
            code = _required(errors, row, perspective)
            if not code:
                continue
            fact = facts.get(code.casefold())
            if fact is None:
                errors.add(
                    row,
                    perspective,
                    f"indicator {code!r} is in no Indicators sheet row and not in Summit.",
                )
            elif fact[0] != perspective:
                errors.add(row, perspective, f"{code} is a {fact[0]} indicator, not {perspective}.")
            elif team.casefold() in keys and keys.get(fact[1], fact[1]) != keys[team.casefold()]:
                errors.add(row, perspective, f"{code} belongs to another team than {team!r}.")
            elif fact[2] == "none":
                errors.add(row, perspective, f"{code} is data only (no target): it cannot score.")
        if team and year:
            _duplicate(errors, row, "year", (team.casefold(), year), first)
        if len(errors.messages) == before:
            items.append({column: row.get(column) for column in SCORECARD_COLUMNS})
    return items, errors.messages


def apply_scorecards(
    checked: list[dict[str, str]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = _teams()
    indicators = {i.code.casefold(): i for i in Indicator.objects.all()}
    existing = {(c.team_id, c.year): c for c in Scorecard.objects.all()}
    for item in checked:
        team = teams[item["team"].casefold()]
        chosen = {p: indicators[item[p].casefold()] for p in PERSPECTIVES}
        _save(
            counts,
            actor,
            reason,
            existing.get((team.pk, item["year"])),
            lambda **v: Scorecard(team=team, year=item["year"], **v),  # noqa: B023
            **chosen,
        )
    return counts[0], counts[1], counts[2]


# --- Complaints -----------------------------------------------------------------------------------


def export_complaints() -> list[list[Any]]:
    complaints = Complaint.objects.select_related("team").order_by("reference")
    return [
        [
            c.reference,
            c.team.name,
            c.stage,
            c.received.isoformat(),
            c.due.isoformat(),
            c.responded.isoformat() if c.responded else "",
        ]
        for c in complaints
    ]


def _stages(context: Context) -> set[int]:
    stages = set(timescales.DEFAULT_TIMESCALES) | set(
        ComplaintTimescale.objects.values_list("stage", flat=True)
    )
    table = context.tables.get(TIMESCALES)
    for row in table.rows if table else ():
        if row.get("stage").isdigit():
            stages.add(int(row.get("stage")))
    return stages


def check_complaints(table: Table, context: Context) -> tuple[list[dict[str, Any]], list[str]]:
    errors = CellErrors(table)
    stages = _stages(context)
    items: list[dict[str, Any]] = []
    first: dict[Any, int] = {}
    for row in table.rows:
        before = len(errors.messages)
        reference = _required(errors, row, "reference")
        if len(reference) > 40:
            errors.add(row, "reference", f"{len(reference)} characters; at most 40 are allowed.")
        elif reference:
            _duplicate(errors, row, "reference", reference, first)
        team = _team(errors, row, context)
        stage = _whole(errors, row, "stage")
        received = _date(errors, row, "received", required=True)
        due = _date(errors, row, "due", required=False)
        responded = _date(errors, row, "responded", required=False)
        if stage is not None and due is None and stage not in stages:
            errors.add(
                row, "stage", f"no timescale for stage {stage}: give its due date or a timescale."
            )
        if received and responded and responded < received:
            errors.add(row, "responded", "the response is dated before the complaint was received.")
        if received and due and due < received:
            errors.add(row, "due", "the due date is before the complaint was received.")
        if len(errors.messages) == before:
            items.append(
                {
                    "reference": reference,
                    "team": team,
                    "stage": stage,
                    "received": received,
                    "due": due,
                    "responded": responded,
                }
            )
    return items, errors.messages


def apply_complaints(
    checked: list[dict[str, Any]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = _teams()
    scales = {
        **timescales.DEFAULT_TIMESCALES,
        **dict(ComplaintTimescale.objects.values_list("stage", "working_days")),
    }
    existing = {c.reference: c for c in Complaint.objects.all()}
    for item in checked:
        due = item["due"] or timescales.response_due(item["received"], item["stage"], scales)
        _save(
            counts,
            actor,
            reason,
            existing.get(item["reference"]),
            lambda **v: Complaint(reference=item["reference"], **v),  # noqa: B023
            team=teams[item["team"].casefold()],
            stage=item["stage"],
            received=item["received"],
            due=due,
            responded=item["responded"],
        )
    return counts[0], counts[1], counts[2]


# --- Improvements ---------------------------------------------------------------------------------


def _improvements_in_order() -> list[Improvement]:
    """Every improvement, as the sheet lists them: by quarter, team, then approval order (id)."""
    return list(
        Improvement.objects.select_related("team", "approved_by").order_by(
            "quarter_start", "team__name", "id"
        )
    )


def export_improvements() -> list[list[Any]]:
    return [
        [
            i.team.name,
            i.quarter,
            i.title,
            i.description,
            _number(i.points),
            i.approved_by.username if i.approved_by else "",
            timezone.localtime(i.approved_at, LONDON).date().isoformat(),
        ]
        for i in _improvements_in_order()
    ]


def check_improvements(table: Table, context: Context) -> tuple[list[dict[str, Any]], list[str]]:
    errors = CellErrors(table)
    items: list[dict[str, Any]] = []
    for row in table.rows:
        before = len(errors.messages)
        team = _team(errors, row, context)
        quarter = _quarter(errors, row, "quarter")
        title = _required(errors, row, "title")
        if len(title) > 200:
            errors.add(row, "title", f"{len(title)} characters; at most 200 are allowed.")
        points = _decimal(errors, row, "points")
        if points is not None and points <= 0:
            errors.add(row, "points", f"{row.get('points')} is not above 0.")
        approver = row.get("approved_by")
        if approver and approver.casefold() not in context.people:
            errors.add(
                row, "approved_by", f"no person {approver!r} in the People sheet or in Summit."
            )
        approved_on = _date(errors, row, "approved_on", required=False)
        if len(errors.messages) == before:
            items.append(
                {
                    "team": team,
                    "quarter": quarter,
                    "title": title,
                    "description": row.get("description"),
                    "points": points,
                    "approved_by": approver,
                    "approved_on": approved_on,
                }
            )
    return items, errors.messages


def _approved_at(day: dt.date | None, had: dt.datetime | None) -> dt.datetime:
    """The approval time: kept when it falls on the sheet's day, else noon in London that day."""
    if day is None:
        return had or timezone.now()
    if had is not None and timezone.localtime(had, LONDON).date() == day:
        return had
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def apply_improvements(
    checked: list[dict[str, Any]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = _teams()
    people = _people()
    existing: dict[tuple[int, str], list[Improvement]] = defaultdict(list)
    for improvement in Improvement.objects.order_by("id"):
        existing[(improvement.team_id, improvement.quarter)].append(improvement)
    position: dict[tuple[int, str], int] = defaultdict(int)
    for item in checked:
        team, quarter = teams[item["team"].casefold()], item["quarter"]
        key = (team.pk, str(quarter))
        index = position[key]
        position[key] += 1
        had = existing[key][index] if index < len(existing[key]) else None
        approver = people.get(item["approved_by"].casefold()) if item["approved_by"] else None
        if had is not None and approver is None:
            approver = had.approved_by  # an empty cell never takes an approver away
        saved = _save(
            counts,
            actor,
            reason,
            had,
            lambda **v: Improvement(
                team=team,  # noqa: B023 (called at once, inside the loop)
                quarter=str(quarter),  # noqa: B023
                quarter_start=quarter.start,  # noqa: B023
                **v,
            ),
            title=item["title"],
            description=item["description"],
            points=item["points"],
            unchecked=("approved_by",),
            approved_by=approver,
        )
        when = _approved_at(item["approved_on"], had.approved_at if had else None)
        if saved.approved_at != when:
            # auto_now_add set it on creation: the sheet's day is the approval's, not today.
            Improvement.objects.filter(pk=saved.pk).update(approved_at=when)
    return counts[0], counts[1], counts[2]


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
            _yes(r.joint),
            r.customer,
            r.financial,
            r.process,
            r.learning,
            _number(r.improvements),
            r.late_complaints,
            _number(r.score),
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
        quarter = _quarter(errors, row, "quarter")
        position = _whole(errors, row, "position")
        slug = _required(errors, row, "team")
        name = _required(errors, row, "team_name")
        rank = _whole(errors, row, "rank")
        joint = row.get("joint").casefold()
        if joint not in _YES:
            errors.add(row, "joint", f"{row.get('joint')!r} is not yes or no.")
        levels = {}
        for column in (*PERSPECTIVES, "learning"):
            levels[column] = row.get(column).casefold()
            if levels[column] not in LEVELS:
                errors.add(row, column, f"{row.get(column)!r} is not one of {', '.join(LEVELS)}.")
        improvements = _decimal(errors, row, "improvements")
        late = _whole(errors, row, "late_complaints", least=0)
        score = _decimal(errors, row, "score")
        award = row.get("award").casefold()
        if award not in AWARDS:
            errors.add(row, "award", f"{row.get('award')!r} is not empty, top or runner_up.")
        frozen_at = None
        try:
            frozen_at = dt.datetime.fromisoformat(_required(errors, row, "frozen_at") or "x")
            if frozen_at.tzinfo is None:
                frozen_at = frozen_at.replace(tzinfo=dt.UTC)
        except ValueError:
            if row.get("frozen_at"):
                errors.add(row, "frozen_at", f"{row.get('frozen_at')!r} is not a date and time.")
        decided = row.get("top_decided_by")
        if decided and decided not in TIE_BREAKS:
            errors.add(row, "top_decided_by", f"{decided!r} is not one of {', '.join(TIE_BREAKS)}.")
        recomputations = _whole(errors, row, "recomputations", least=0)
        try:
            explanation = json.loads(row.get("explanation") or "{}")
            if not isinstance(explanation, dict):
                raise ValueError
        except ValueError:
            errors.add(row, "explanation", "not the JSON of an explanation (an object).")
        if quarter is not None and slug:
            _duplicate(errors, row, "team", (str(quarter), slug.casefold()), first)
        if quarter is not None and position is not None:
            _duplicate(errors, row, "position", (str(quarter), position), first)
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
                "joint": _YES[joint],
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
        snapshot = _save(
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
            _save(
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


# --- the hook's receiver --------------------------------------------------------------------------


def council_sheets() -> list[Sheet]:
    """Reach the Summit's sheets, in the order they are applied (each refers to those before)."""
    return [
        Sheet(
            TIMESCALES,
            TIMESCALE_COLUMNS,
            export_timescales,
            check_timescales,
            apply_timescales,
            about="Complaint timescales: stage and working_days to respond (stages without a row "
            "use 10 working days at stage 1 and 20 at stage 2).",
        ),
        Sheet(
            SCORECARDS,
            SCORECARD_COLUMNS,
            export_scorecards,
            check_scorecards,
            apply_scorecards,
            about="Scorecards: team, year (2024/25) and the codes of the team's customer, "
            "financial and process indicators that score it in Reach the Summit that year.",
        ),
        Sheet(
            COMPLAINTS,
            COMPLAINT_COLUMNS,
            export_complaints,
            check_complaints,
            apply_complaints,
            about="Complaints: reference, team, stage, received, due and responded (YYYY-MM-DD); "
            "an empty due date is worked out from the stage's timescale.",
        ),
        Sheet(
            IMPROVEMENTS,
            IMPROVEMENT_COLUMNS,
            export_improvements,
            check_improvements,
            apply_improvements,
            about="Improvements: team, quarter (2024/25 Q1), title, description, points (0.5 "
            "by default), approved_by (a username) and approved_on; matched by their order "
            "within their team and quarter.",
        ),
        Sheet(
            LEAGUE_TABLES,
            LEAGUE_COLUMNS,
            export_league_tables,
            check_league_tables,
            apply_league_tables,
            about="League tables: the frozen Reach the Summit tables, a row per team and "
            "quarter, as export_council wrote them (leave this sheet empty when starting out).",
            choices=dict.fromkeys(("customer", "financial", "process", "learning"), LEVELS)
            | {"award": AWARDS, "joint": ["yes", "no"]},
        ),
    ]

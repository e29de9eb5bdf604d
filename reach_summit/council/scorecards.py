"""The Scorecards sheet: which indicators score a team in a financial year."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from performance.common.tables import CellErrors, Table
from performance.council.sheets import Context
from performance.models import Indicator, Team
from reach_summit.council.cells import (
    PERSPECTIVES,
    SCORECARD_COLUMNS,
    YEAR_RE,
    duplicate,
    required,
    save,
    team_cell,
    teams_by_key,
)
from reach_summit.models import (
    Scorecard,
)

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
        team = team_cell(errors, row, context)
        year = required(errors, row, "year")
        match = YEAR_RE.fullmatch(year)
        if year and (not match or (int(match[1]) + 1) % 100 != int(match[2])):
            errors.add(row, "year", f"{year!r} is not a financial year written like 2024/25.")
        for perspective in PERSPECTIVES:
            code = required(errors, row, perspective)
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
            duplicate(errors, row, "year", (team.casefold(), year), first)
        if len(errors.messages) == before:
            items.append({column: row.get(column) for column in SCORECARD_COLUMNS})
    return items, errors.messages


def apply_scorecards(
    checked: list[dict[str, str]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = teams_by_key()
    indicators = {i.code.casefold(): i for i in Indicator.objects.all()}
    existing = {(c.team_id, c.year): c for c in Scorecard.objects.all()}
    for item in checked:
        team = teams[item["team"].casefold()]
        chosen = {p: indicators[item[p].casefold()] for p in PERSPECTIVES}
        save(
            counts,
            actor,
            reason,
            existing.get((team.pk, item["year"])),
            lambda **v: Scorecard(team=team, year=item["year"], **v),  # noqa: B023
            **chosen,
        )
    return counts[0], counts[1], counts[2]

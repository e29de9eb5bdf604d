"""Cabinet's quarterly report as a summary (issue 19): the decisions written as sentences from the
data, a status chart per priority, and the Red key performance indicators as one compact table
naming each one's open action plan. Every Red and Amber indicator in full (comment, chart,
actions) is the Management Team report's; the outcome tables go to the workbook only.

Policy for the decisions:
- Cabinet is asked to *agree* an action plan only when one is open for a Red KPI and it was
  opened in the report's quarter or after (new since the last report); an older open plan is
  one to *note progress on*. A Red KPI without an open plan (issue 20) is noted as having a
  plan requested of its head of service, or as judged to need none (why, and its review date);
  one with neither is named among those Cabinet is asked to request plans for. Never "agree" a
  plan that does not exist.
- More than `NAMED_MAX` plans (or indicators) of one kind are counted, not named one by one:
  the table beside the decisions names every one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from performance.core.periods import Period
from performance.models import Indicator
from performance.plans import requests as plan_requests
from performance.reports.data import Chart, Column, Section, Table
from performance.reports.selectors.common import _bars, _person
from performance.reports.selectors.spotlights import _action_plans
from performance.reports.selectors.statuses import STATUS_BARS

# More than this many plans (or indicators) in one decision are counted, not named.
NAMED_MAX = 6
RED_SECTION = "Red key performance indicators"


@dataclass(frozen=True, slots=True)
class RedKpi:
    """A Red KPI and its open action plan ("" when it has none)."""

    row: dict[str, Any]
    plan_title: str = ""
    plan_owner: str = ""
    plan_opened: str = ""  # "15 October 2025"
    plan_opened_short: str = ""  # "15 Oct 2025", for the table's narrow column
    plan_is_new: bool = False
    # Without an open plan (issue 20): "requested", or "no_plan" with why and its review date.
    answer: str = ""
    no_plan_reason: str = ""
    review_on: str = ""  # "31 March 2027"

    @property
    def name(self) -> str:
        return f"{self.row['indicator']} {self.row['title']}"


def red_kpis(
    rows: list[dict[str, Any]], indicators: dict[int, Indicator], period: Period
) -> list[RedKpi]:
    """The Red key performance indicators of `rows`, by code, each with its open action plan
    (the latest opened, as in the spotlights). 4 queries, whatever their number."""
    red = sorted(
        (
            row
            for row in rows
            if row["status"] == "red" and indicators[row["indicator_id"]].kind == Indicator.Kind.KPI
        ),
        key=lambda row: row["indicator"],
    )
    plans = _action_plans(row["indicator_id"] for row in red)
    answers = plan_requests.answers_for(
        [row["indicator_id"] for row in red if row["indicator_id"] not in plans]
    )
    result = []
    for row in red:
        plan, _version = plans.get(row["indicator_id"], (None, None))
        if plan is None:
            answer = answers.get(row["indicator_id"])
            result.append(
                RedKpi(
                    row=row,
                    answer=answer.state if answer else "",
                    no_plan_reason=answer.reason.strip().rstrip(".") if answer else "",
                    review_on=f"{answer.review_on:%-d %B %Y}"
                    if answer and answer.review_on
                    else "",
                )
            )
            continue
        result.append(
            RedKpi(
                row=row,
                plan_title=plan.title,
                plan_owner=_person(plan.owner),
                plan_opened=f"{plan.opened_on:%-d %B %Y}",
                plan_opened_short=f"{plan.opened_on:%-d %b %Y}",
                plan_is_new=plan.opened_on >= period.start,
            )
        )
    return result


def _names(items: list[str]) -> str:
    """Names after a colon, apart by semicolons: a title may itself hold "and" or a comma."""
    return "; ".join(items)


def decisions(rows: list[dict[str, Any]], reds: list[RedKpi], period: Period) -> list[str]:
    """What Cabinet is asked to decide, each a sentence built from the data."""
    counts = Counter(row["status"] for row in rows)
    red, amber = counts["red"], counts["amber"]
    if not red:
        note = (
            f"Cabinet is asked to note that none of the {len(rows)} indicators reported for "
            f"{period} is Red, and that {amber} {'is' if amber == 1 else 'are'} Amber."
        )
    else:
        note = (
            f"Cabinet is asked to note that {red} of the {len(rows)} indicators reported for "
            f"{period} {'is' if red == 1 else 'are'} Red and {amber} Amber"
        )
        if len(reds) == red:
            which = (
                "it is a key performance indicator"
                if red == 1
                else "all are key performance indicators"
            )
            note += f": {which}, named under “{RED_SECTION}”."
        elif reds:
            which = (
                "is a key performance indicator"
                if len(reds) == 1
                else "are key performance indicators"
            )
            note += (
                f"; {len(reds)} of the Red {which}, named under “{RED_SECTION}”, and the "
                f"Management Team report has the other {red - len(reds)}."
            )
        else:
            note += (
                "; none of the Red is a key performance indicator, and the Management Team "
                "report has each one in full."
            )
    sentences = [note]

    new = [kpi for kpi in reds if kpi.plan_title and kpi.plan_is_new]
    older = [kpi for kpi in reds if kpi.plan_title and not kpi.plan_is_new]
    requested = [kpi for kpi in reds if not kpi.plan_title and kpi.answer == "requested"]
    no_plan = [kpi for kpi in reds if not kpi.plan_title and kpi.answer == "no_plan"]
    missing = [kpi for kpi in reds if not kpi.plan_title and not kpi.answer]
    if len(new) > NAMED_MAX:
        sentences.append(
            f"Cabinet is asked to agree the {len(new)} action plans opened since {period.start:%-d %B %Y} "
            f"for Red key performance indicators, each named under “{RED_SECTION}”."
        )
    else:
        sentences += [
            f"Cabinet is asked to agree the action plan “{kpi.plan_title}” for {kpi.name}, "
            f"opened on {kpi.plan_opened} by {kpi.plan_owner}."
            for kpi in new
        ]
    if len(older) > NAMED_MAX:
        sentences.append(
            f"Cabinet is asked to note progress on the {len(older)} action plans opened before "
            f"{period.start:%-d %B %Y} for Red key performance indicators, each named under "
            f"“{RED_SECTION}”."
        )
    else:
        sentences += [
            f"Cabinet is asked to note progress on the action plan “{kpi.plan_title}” for "
            f"{kpi.name}, open since {kpi.plan_opened} (owner {kpi.plan_owner})."
            for kpi in older
        ]
    if requested:
        names = [kpi.name for kpi in requested[:NAMED_MAX]]
        if len(requested) > NAMED_MAX:
            names.append(f"{len(requested) - NAMED_MAX} more named under “{RED_SECTION}”")
        sentences.append(
            "Cabinet is asked to note that Summit has asked the heads of service for action "
            f"plans, not yet opened, for {_names(names)}."
        )
    sentences += [
        f"Cabinet is asked to note that no action plan is judged needed for {kpi.name}: "
        f"{kpi.no_plan_reason} (to be reviewed by {kpi.review_on})."
        for kpi in no_plan[:NAMED_MAX]
    ]
    if len(no_plan) > NAMED_MAX:
        sentences.append(
            f"Cabinet is asked to note the {len(no_plan) - NAMED_MAX} other Red key performance "
            f"indicators judged to need no action plan, each named under “{RED_SECTION}”."
        )
    if missing:
        names = [kpi.name for kpi in missing[:NAMED_MAX]]
        if len(missing) > NAMED_MAX:
            names.append(f"{len(missing) - NAMED_MAX} more named under “{RED_SECTION}”")
        which = (
            "the Red key performance indicator that has none yet"
            if len(missing) == 1
            else f"the {len(missing)} Red key performance indicators that have none yet"
        )
        sentences.append(
            f"Cabinet is asked to request action plans, for its next meeting, for {which}: "
            f"{_names(names)}."
        )
    return sentences


def decisions_section(rows: list[dict[str, Any]], reds: list[RedKpi], period: Period) -> Section:
    return Section(
        id="decisions", title="Decisions for Cabinet", items=decisions(rows, reds, period)
    )


def priority_charts(counts: list[tuple[str, str, Counter[str]]], period: Period) -> list[Chart]:
    """A status bar chart per priority: (number, title, counts by status) in, charts out."""
    return [
        _bars(
            f"chart-priority-{number}",
            f"Priority {number}: {title}, indicators by status, {period}",
            tally,
            STATUS_BARS,
        )
        for number, title, tally in counts
    ]


def red_table(reds: list[RedKpi], period: Period) -> Table:
    """The Red KPIs as compact rows. The plan's owner has a column of its own (key "owner"), so
    the publish confirmation page lists the name among those that become public."""
    rows = [
        {
            **kpi.row,
            "plan": kpi.plan_title
            or {"requested": "Plan requested", "no_plan": f"No plan: {kpi.no_plan_reason}"}.get(
                kpi.answer, "No action plan yet"
            ),
            "owner": kpi.plan_owner,
            "opened": kpi.plan_opened_short,
        }
        for kpi in reds
    ]
    return Table(
        id="red-kpis-table",
        caption=f"Red key performance indicators and their action plans, {period}",
        columns=[
            Column("indicator", "Code"),
            Column("title", "Indicator"),
            Column("team", "Team"),
            Column("value", "Value", "value"),
            Column("target", "Target", "value"),
            Column("dot_previous", "On previous period", "direction"),
            Column("plan", "Open action plan"),
            Column("owner", "Plan owner"),
            Column("opened", "Opened"),
        ],
        rows=rows,
        sheet="Red KPIs",
        header_key="indicator",
        note="" if rows else f"No key performance indicator is Red for {period}.",
    )


def red_section(reds: list[RedKpi], period: Period) -> Section:
    return Section(
        id="red-kpis",
        title=RED_SECTION,
        paragraphs=[
            "Each Red key performance indicator with its open action plan (title, owner and the "
            "day it was opened). The Management Team report gives each one's performance "
            "comment, chart and actions, and every Amber indicator."
        ],
        tables=[red_table(reds, period)],
    )

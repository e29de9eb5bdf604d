"""The demo's action plans (SPEC §5): open plans for a few indicators Red in their latest
period, one team each, the first revised once, with actions and a member's comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

from performance.core import periods
from performance.core.calculations import Level
from performance.demo.catalogue import Template
from performance.models import Action, ActionPlan, ActionPlanVersion, IndicatorComment

if TYPE_CHECKING:
    from performance.demo import DemoContext
    from performance.demo.figures import IndicatorPlan
    from performance.demo.organisation import Org

ACTION_PLANS = {"small": 3, "council": 4, "county": 6, "stress": 12}
ACTION_TEMPLATES = [
    (
        "Review the process end to end with the team and agree changes",
        "Process map drawn\nChanges agreed",
    ),
    ("Clear the backlog with temporary staff", "Temporary staff in post\nBacklog below two weeks"),
    ("Report weekly figures to the Head of Service", "Weekly report set up"),
    ("Train staff in the revised procedure", "Training delivered\nRefresher in three months"),
    (
        "Agree a recovery trajectory with the portfolio holder",
        "Trajectory agreed\nReviewed at Management Team",
    ),
]


def _shown(t: Template, number: Decimal | None) -> str:
    """A figure as a report prints it: £1,234, 95.2%, 12.5 days."""
    if number is None:
        return "no value"
    text = f"{number:,.{t.decimals}f}"
    return {"currency": f"£{text}", "percent": f"{text}%", "days": f"{text} days"}.get(t.unit, text)


def create_action_plans(
    context: DemoContext, plans: list[IndicatorPlan], org: Org, today: dt.date
) -> int:
    """Open action plans for indicators Red in their latest period, one team each; one revised."""
    rng = context.rng
    zone = ZoneInfo(settings.TIME_ZONE)
    days = settings.COLLECTION_WINDOW_DAYS
    wanted = ACTION_PLANS.get(context.scale.name, 3)
    chosen, teams_done = [], set()
    for plan in plans:
        if len(chosen) == wanted:
            break
        if not plan.latest or plan.team.id in teams_done:
            continue
        period, level, actual, target = plan.latest[-1]
        if level is Level.BASECAMP:
            chosen.append((plan, period, actual, target))
            teams_done.add(plan.team.id)
    versions_made = 0
    for number, (plan, period, actual, target) in enumerate(chosen):
        t = plan.template
        owner = org.heads[plan.team.id]
        doers = [*plan.managers, *plan.enterers] or [owner]
        opened = min(today, periods.window_close(period.request_date(), days) + dt.timedelta(3))
        action_plan = ActionPlan.objects.create(
            indicator_id=plan.indicator_id,
            team=plan.team,
            title=f"Recovering {t.title[0].lower() + t.title[1:]}",
            reason=(
                f"{plan.code} was Red in {period}: {_shown(t, actual)} against a target of "
                f"{_shown(t, target)}. Performance has to recover before the next quarter's "
                "report."
            ),
            owner_id=owner,
            opened_on=opened,
        )
        revisions = 2 if number == 0 else 1
        for version_number in range(1, revisions + 1):
            created = opened + dt.timedelta(days=35 * (version_number - 1))
            version = ActionPlanVersion.objects.create(
                plan=action_plan,
                number=version_number,
                created_by_id=owner,
                note=(
                    "First version, agreed with the team."
                    if version_number == 1
                    else "Revised after the first month's review: the first actions did not "
                    "move the figures enough, so an action was added and the due dates moved."
                ),
            )
            # auto_now_add stamps today; the demo's history needs the day it was written.
            ActionPlanVersion.objects.filter(pk=version.pk).update(
                created_at=dt.datetime.combine(min(created, today), dt.time(10), tzinfo=zone)
            )
            versions_made += 1
            steps = rng.sample(ACTION_TEMPLATES, 3 + (version_number - 1))
            actions = []
            for step, (description, milestones) in enumerate(steps, start=1):
                due = created + dt.timedelta(days=30 * step)
                if due < today:
                    status = Action.Status.DONE if rng.random() < 0.7 else Action.Status.OVERDUE
                else:
                    status = rng.choice([Action.Status.IN_PROGRESS, Action.Status.NOT_STARTED])
                actions.append(
                    Action(
                        version=version,
                        description=description,
                        owner_id=doers[step % len(doers)],
                        due_on=due,
                        status=status,
                        milestones=milestones,
                        progress_note={
                            Action.Status.DONE: "Done.",
                            Action.Status.OVERDUE: "Delayed by staff absence; new date agreed.",
                            Action.Status.IN_PROGRESS: "Under way.",
                            Action.Status.NOT_STARTED: "",
                        }[status],
                    )
                )
            Action.objects.bulk_create(actions)
        if number < 2 and "member" in context.users:
            IndicatorComment.objects.create(
                indicator_id=plan.indicator_id,
                period=str(period),
                author=context.users["member"],
                text=(
                    "Overview & Scrutiny asked why this is below target and when it is "
                    "expected to recover; please report back at the next meeting."
                ),
            )
    return len(chosen)

"""Risk categories (each with the council's appetite), risks, their controls and mitigating
actions as kinds of record in Manage (SPEC §14).

Manage cannot import this area (it is built on Manage): `performance/apps.py` registers
`kinds()` under the MANAGE_KINDS hook. Manage's generic views list, add, edit and delete them,
with the audit trail.
"""

from __future__ import annotations

from performance.common.display import person_name
from performance.manage.views.kinds import Child, Kind, Placement
from performance.risks.forms import RiskCategoryForm
from performance.risks.record_forms import RiskActionForm, RiskControlForm, RiskForm

RISK_CATEGORIES = Kind(
    "risk-categories",
    RiskCategoryForm,
    "Kinds of risk, each with the council's appetite: the highest current score it accepts.",
    (
        ("Category", lambda o: o.name),
        ("Appetite", lambda o: "None set" if o.appetite is None else str(o.appetite)),
        ("What it covers", lambda o: o.description),
    ),
    words=("Risk categories", "risk category"),
)


RISKS = Kind(
    "risks",
    RiskForm,
    "The registers' risks: owner, scores, links to the plan and key risk indicators. Reviews "
    "are made by their owners on the risk's page.",
    (
        ("Reference", lambda o: o.reference),
        ("Title", lambda o: o.title),
        ("Register", lambda o: o.get_register_display()),
        ("Owner", lambda o: person_name(o.owner)),
        ("Status", lambda o: o.get_status_display()),
    ),
    related=("owner",),
    filters=("category", "team"),
    order=("reference",),
    children=(
        Child("Controls", "risk-controls", "risk"),
        Child("Mitigating actions", "risk-actions", "risk"),
    ),
    links=(("Risk page", "performance:risk-detail"),),
)

RISK_CONTROLS = Kind(
    "risk-controls",
    RiskControlForm,
    "What is in place to lower each risk, and how well it works.",
    (
        ("Risk", lambda o: o.risk.reference),
        ("Control", lambda o: o.description),
        ("Effectiveness", lambda o: o.get_effectiveness_display()),
    ),
    words=("Risk controls", "risk control"),
    related=("risk",),
    filters=("risk",),
    order=("risk__reference", "id"),
)

RISK_ACTIONS = Kind(
    "risk-actions",
    RiskActionForm,
    "Mitigating actions: the risk's own, or linked service-plan activities and action-plan "
    "actions (read from there, never copied).",
    (
        ("Risk", lambda o: o.risk.reference),
        (
            "Action",
            lambda o: (
                o.description
                or (f"Activity: {o.activity.title}" if o.activity else "")
                or (f"Action plan: {o.plan_action.description}" if o.plan_action else "")
            ),
        ),
        ("Due", lambda o: f"{o.due_on:%-d %b %Y}" if o.due_on else ""),
        ("Progress", lambda o: o.get_progress_display()),
    ),
    words=("Mitigating actions", "mitigating action"),
    related=("risk", "activity", "plan_action"),
    filters=("risk",),
    order=("risk__reference", "due_on", "id"),
)


def kinds() -> list[Placement]:
    """The MANAGE_KINDS receiver: a group of its own, after Manage's."""
    return [
        Placement("Risks", after="", kind=RISK_CATEGORIES),
        Placement("Risks", after="risk-categories", kind=RISKS),
        Placement("Risks", after="risks", kind=RISK_CONTROLS),
        Placement("Risks", after="risk-controls", kind=RISK_ACTIONS),
    ]

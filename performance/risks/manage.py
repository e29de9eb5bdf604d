"""Risk categories as a kind of record in Manage (SPEC §14: each with the council's appetite).

Manage cannot import this area (it is built on Manage): `performance/apps.py` registers
`kinds()` under the MANAGE_KINDS hook. Manage's generic views list, add, edit and delete them,
with the audit trail.
"""

from __future__ import annotations

from performance.manage.views.kinds import Kind, Placement
from performance.risks.forms import RiskCategoryForm

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


def kinds() -> list[Placement]:
    """The MANAGE_KINDS receiver: a group of its own, after Manage's."""
    return [Placement("Risks", after="", kind=RISK_CATEGORIES)]

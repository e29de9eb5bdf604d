"""The council workbook (SPEC §11, §12; issue 18): the whole council in one .xlsx file.

One sheet per kind, each with a header row, in the order an import writes them: `Teams`,
`People`, `Indicators`, `Plan`, `Service plans`, `Values`, `Risks` (a workbook may order its
sheets as it likes; the import finds them by name). `exports` writes one, `imports` reads and
checks every sheet, then applies them in one transaction through the audited import services
(`people_imports`, `indicators.imports`, `collection.imports`, `risks.imports`).

The columns of `Teams`, `Plan` and `Service plans` are Summit's own (docs/imports.md, "Council
workbook"); the others are the columns of the single-kind imports, so a sheet saved as a CSV
file is a file `import_people`, `import_indicators`, `import_values` or `import_risks` takes.
"""

from __future__ import annotations

from performance.collection import imports as value_imports
from performance.indicators import imports as indicator_imports
from performance.manage import people_imports
from performance.risks import imports as risk_imports

TEAMS = "Teams"
PEOPLE = "People"
PLAN = "Plan"
SERVICE_PLANS = "Service plans"
INDICATORS = "Indicators"
VALUES = "Values"
RISKS = "Risks"
# The order the sheets are written and applied in: each refers only to sheets before it.
SHEETS = (TEAMS, PEOPLE, INDICATORS, PLAN, SERVICE_PLANS, VALUES, RISKS)

TEAM_COLUMNS = ("name", "slug", "directorate", "service", "service_head", "team_head", "active")
PEOPLE_COLUMNS = people_imports.PEOPLE_COLUMNS
# A row per item of the plan tree; `level` says which, `ref` where it hangs (see docs).
PLAN_COLUMNS = (
    "plan",
    "level",
    "ref",
    "title",
    "description",
    "indicator",
    "owner",
    "due_on",
    "community_strategy",
    "financial_strategy",
)
PLAN_LEVELS = ("plan", "priority", "outcome", "measure", "action")
SERVICE_PLAN_COLUMNS = (
    "service",
    "year",
    "level",
    "ref",
    "title",
    "status",
    "summary",
    "outcome",
    "owner",
    "due_on",
    "met_on",
)
SERVICE_PLAN_LEVELS = ("plan", "objective", "activity", "milestone")
# The optional indicator columns, when import_indicators has them (issue 18, the other part).
INDICATOR_OPTIONAL_COLUMNS: tuple[str, ...] = tuple(
    getattr(indicator_imports, "INDICATOR_OPTIONAL_COLUMNS", ())
)
INDICATOR_COLUMNS = (*indicator_imports.INDICATOR_COLUMNS, *INDICATOR_OPTIONAL_COLUMNS)
VALUE_COLUMNS = (*value_imports.VALUE_COLUMNS, *value_imports.VALUE_OPTIONAL_COLUMNS)
RISK_COLUMNS = risk_imports.COLUMNS

COLUMNS: dict[str, tuple[str, ...]] = {
    TEAMS: TEAM_COLUMNS,
    PEOPLE: PEOPLE_COLUMNS,
    PLAN: PLAN_COLUMNS,
    SERVICE_PLANS: SERVICE_PLAN_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
    VALUES: VALUE_COLUMNS,
    RISKS: RISK_COLUMNS,
}
# Written first in the workbook, in the order a reader meets them.
WORKBOOK_ORDER = (TEAMS, PEOPLE, PLAN, SERVICE_PLANS, INDICATORS, VALUES, RISKS)

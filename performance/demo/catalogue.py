"""The demo's data files (`demo/data/`, sources in `SOURCES.md`), read into plain rows.

- `indicator_catalogue.csv`: the indicators each type of team reports, with titles, targets and
  typical performance filled in from Hart District Council's published KPIs
  (`kpi_hart_district_council_2014.csv`) where the catalogue leaves them blank;
- `service_plans.csv`: each type of team's service plan objectives and activities.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from performance.core.calculations import Polarity
from performance.core.periods import Frequency

DATA = Path(__file__).resolve().parent / "data"
HART_CSV = DATA / "kpi_hart_district_council_2014.csv"
CATALOGUE_CSV = DATA / "indicator_catalogue.csv"
SERVICE_PLANS_CSV = DATA / "service_plans.csv"
# Typical shortfalls are kept in this band (percent of target) so that no indicator is hopeless
# or beyond reach; Hart's own figures include data errors that would say otherwise.
BIAS_RANGE = (-6.0, 12.0)


@dataclass(frozen=True, slots=True)
class Template:
    """One row of the indicator catalogue, with Hart's figures folded in."""

    team: str
    code: str
    title: str
    kind: str
    perspective: str
    aspect: str
    polarity: Polarity
    unit: str
    decimals: int
    frequency: Frequency
    aggregation: str
    ytd: bool
    target: float | None
    bias: float  # typical shortfall in % of target (in units when the target is 0)
    level: float | None  # typical value of a data-only indicator
    noise: float
    volume: int | None
    tolerance: Decimal | None
    outcome: str
    source: str
    partner: str
    vfm: str
    definition: str
    hart_ref: str


def _shortfall(actual: float, target: float, polarity: Polarity) -> float:
    if target == 0:
        return target - actual if polarity is Polarity.HIGHER else actual - target
    gap = target - actual if polarity is Polarity.HIGHER else actual - target
    return gap / abs(target) * 100


def _hart() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with HART_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["kpi_ref"]].append(row)
    return rows


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_catalogue() -> list[Template]:
    """The catalogue rows in file order, with titles, targets and typical values from Hart."""
    hart = _hart()
    templates = []
    with CATALOGUE_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            polarity = Polarity(row["polarity"])
            hart_rows = sorted(hart.get(row["hart_ref"], []), key=lambda r: r["snapshot"])
            if row["hart_ref"] and not hart_rows:
                raise ValueError(f"{row['code']}: Hart KPI {row['hart_ref']!r} is not in the data")
            latest = hart_rows[-1] if hart_rows else {}
            title = row["title"] or latest.get("indicator", "")
            target = _number(row["target"])
            if target is None and polarity is not Polarity.NONE and latest:
                target = float(latest["target"])
            typical = _number(row["typical"])
            level = None
            if polarity is Polarity.NONE:
                published = [float(r["value_current"]) for r in hart_rows]
                published = [v for v in published if v]
                level = typical if typical is not None else sum(published) / len(published)
                bias = 0.0
            elif typical is not None:
                bias = _shortfall(typical, target, polarity)
            else:
                pairs = [
                    (float(r["value_current"]), float(r["target"]))
                    for r in hart_rows
                    if float(r["value_current"]) and float(r["target"])
                ]
                bias = sum(_shortfall(v, t, polarity) for v, t in pairs) / len(pairs)
            if target:  # a zero target's bias is in units, not percent
                bias = min(max(bias, BIAS_RANGE[0]), BIAS_RANGE[1])
            templates.append(
                Template(
                    team=row["team"],
                    code=row["code"],
                    title=title,
                    kind=row["kind"],
                    perspective=row["perspective"],
                    aspect=row["aspect"],
                    polarity=polarity,
                    unit=row["unit"],
                    decimals=int(row["decimals"]),
                    frequency=Frequency(row["frequency"]),
                    aggregation=row["aggregation"],
                    ytd=row["profile"] == "ytd",
                    target=target,
                    bias=bias,
                    level=level,
                    noise=float(row["noise"]),
                    volume=int(row["volume"]) if row["volume"] else None,
                    tolerance=Decimal(row["tolerance"]) if row["tolerance"] else None,
                    outcome=row["outcome"],
                    source=row["source"],
                    partner=row["partner"],
                    vfm=row["vfm"],
                    definition=row["definition"],
                    hart_ref=row["hart_ref"],
                )
            )
    return templates


def service_plan_catalogue() -> dict[str, list[tuple[str, str, list[str]]]]:
    """Team type → [(objective, outcome code, [activities])] in file order."""
    plans: dict[str, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    with SERVICE_PLANS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            objective = plans[row["team"]].setdefault(row["objective"], (row["outcome"], []))
            objective[1].append(row["activity"])
    return {
        team: [(title, outcome, activities) for title, (outcome, activities) in items.items()]
        for team, items in plans.items()
    }


def base_and_copy(name: str) -> tuple[str, int]:
    """("Waste and Street Scene 3" → ("Waste and Street Scene", 3)); the original is copy 1."""
    match = re.fullmatch(r"(.*) (\d+)", name)
    return (match[1], int(match[2])) if match else (name, 1)

"""Benchmarking demo data for seed_demo (called after the performance demo).

Real data, copied into demo_data/ (see demo_data/SOURCES.md): Maidstone's (E07000110, the demo
council's COUNCIL_CODE) 15 nearest neighbours from Oflog's list, and Defra's household waste
recycling rates for every shire district 2015/16-2023/24. Two more measures are invented and
labelled "demo data" wherever they are shown. Loaded through the same import services the
commands use, so the demo exercises the real path. Safe to run on a database that already holds
the benchmarking part (it is left as it is).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from benchmarking import services
from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    BenchmarkValue,
    ComparatorGroup,
    EfficiencySaving,
    ProjectStep,
    VfmPair,
)
from performance.core import periods
from performance.indicators import selectors as performance_selectors
from performance.models import Indicator, Value

DATA = Path(__file__).resolve().parent / "demo_data"
NEAREST = "CIPFA nearest neighbours (Maidstone)"
ALL_DISTRICTS = "All shire districts"
KENT = "Kent districts"
KENT_CODES = [f"E07000{n}" for n in range(105, 117)]  # Ashford … Tunbridge Wells
RECYCLING = "WASTE-RECYCLING"
DEMO_YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def seed(context) -> None:
    if ComparatorGroup.objects.filter(name=NEAREST).exists():
        context.log("Benchmarking: already present, left as it is.")
        return
    rng = context.rng
    recycling_bytes = (DATA / "household_waste_recycling_rate_shire_districts.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(recycling_bytes.decode())))
    latest = max(r["period"] for r in rows)
    districts = {r["authority_code"]: r["authority_name"] for r in rows if r["period"] == latest}
    # A few districts have figures only in early years (a code lookup quirk of the source):
    # known as authorities so their figures import, but not members of today's group.
    Authority.objects.bulk_create(
        Authority(code=r["authority_code"], name=r["authority_name"], type="shire_district")
        for r in {r["authority_code"]: r for r in rows}.values()
        if r["authority_code"] not in districts
    )
    services.import_comparators(
        name="shire_districts.csv",
        content=_csv(
            ["authority_code", "authority_name", "authority_type"],
            [[code, name, "shire_district"] for code, name in sorted(districts.items())],
        ),
        group=ALL_DISTRICTS,
        kind=ComparatorGroup.Kind.ALL_DISTRICTS,
    )
    services.import_comparators(
        name="maidstone_nearest_neighbours.csv",
        content=(DATA / "maidstone_nearest_neighbours.csv").read_bytes(),
        group=NEAREST,
        kind=ComparatorGroup.Kind.NEAREST_NEIGHBOURS,
    )
    services.import_comparators(
        name="kent_districts.csv",
        content=_csv(
            ["authority_code", "authority_name"],
            [[code, districts[code]] for code in KENT_CODES if code in districts],
        ),
        group=KENT,
        kind=ComparatorGroup.Kind.COUNTY_GROUP,
    )
    nearest = ComparatorGroup.objects.get(name=NEAREST)
    nearest.description = (
        "Maidstone's 15 nearest neighbours as Oflog's automated-text tool lists them (probably "
        "the CIPFA model), with Maidstone itself: the demo council uses Maidstone's code."
    )
    nearest.save(update_fields=["description"])

    services.import_benchmarks(
        name="household_waste_recycling_rate_shire_districts.csv",
        content=recycling_bytes,
        measure=RECYCLING,
        title="Household waste sent for reuse, recycling or composting (%)",
        polarity="higher",
    )
    BenchmarkMeasure.objects.filter(code=RECYCLING).update(
        unit=BenchmarkMeasure.Unit.PERCENT,
        decimals=1,
        source="Defra ENV18 local authority collected waste, Table 3 (ex NI 192)",
        indicator=_indicator("recycl", unit=Indicator.Unit.PERCENT),
    )

    members = list(nearest.members.order_by("code"))
    invented = [
        (
            "DEMO-WASTE-COST",
            "Net cost of waste collection per household (£) – demo data",
            "lower",
            BenchmarkMeasure.Unit.CURRENCY,
            2,
            (48, 92),
            ("waste", "collection", "cost"),
        ),
        (
            "DEMO-PLANNING-MAJOR",
            "Major planning applications decided in time (%) – demo data",
            "higher",
            BenchmarkMeasure.Unit.PERCENT,
            1,
            (72, 99),
            ("major", "planning"),
        ),
    ]
    for code, title, polarity, unit, decimals, (low, high), keyword in invented:
        measure = BenchmarkMeasure.objects.create(
            code=code,
            title=title,
            polarity=polarity,
            unit=unit,
            decimals=decimals,
            is_demo=True,
            source="Invented for the demo: not any council's real figures.",
            indicator=_indicator(*keyword),
        )
        values = []
        for authority in members:
            level = Decimal(rng.uniform(low, high))
            for year in DEMO_YEARS:
                drift = Decimal(rng.uniform(-0.06, 0.06)) * level
                value = min(
                    max(level + drift, Decimal(low) * Decimal("0.9")),
                    Decimal(100) if unit == "percent" else Decimal(1000),
                )
                values.append(
                    BenchmarkValue(
                        measure=measure,
                        authority=authority,
                        period=year,
                        value=value.quantize(Decimal(1).scaleb(-decimals)),
                    )
                )
            # One neighbour did not return the latest year: shows how missing figures are counted.
        values = [
            v
            for v in values
            if not (v.authority.code == "E07000245" and v.period == DEMO_YEARS[-1])
        ]
        BenchmarkValue.objects.bulk_create(values)

    _project(context, nearest)
    _savings(context)
    pairs = _vfm_pairs(context)
    context.log(
        f"Benchmarking: 3 comparator groups ({nearest.members.count()} nearest neighbours, "
        f"{len(districts)} shire districts), 3 measures, 1 project, "
        f"{EfficiencySaving.objects.count()} savings, {pairs} value-for-money pairs "
        f"(council code {settings.COUNCIL_CODE})."
    )


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _indicator(*words: str, unit: str | None = None) -> Indicator | None:
    """The council's indicator whose title has every word (so "cost per case" is not taken for
    "cost of waste collection"); None when there is none."""
    indicators = Indicator.objects.exclude(code__startswith="VFM ")
    if unit is not None:
        indicators = indicators.filter(unit=unit)
    for word in words:
        indicators = indicators.filter(title__icontains=word)
    return indicators.order_by("code").first()


def _project(context, nearest: ComparatorGroup) -> None:
    performance_officer = context.users.get("performance")
    project = services.create_project(
        actor=performance_officer,
        data={
            "title": "Recycling: learning from high achievers",
            "type": BenchmarkingProject.Type.PERFORMANCE,
            "partner_kind": BenchmarkingProject.Partners.HIGH_ACHIEVERS,
            "purpose": (
                "Our recycling rate sits just above the median of our nearest neighbours. "
                "Find out how the top-quartile councils collect food waste and reach flats."
            ),
            "measure": BenchmarkMeasure.objects.get(code=RECYCLING),
            "lead": performance_officer,
        },
        partner_authorities=nearest.members.filter(code__in=["E07000179", "E07000093"]),
    )
    notes = {
        ProjectStep.Step.UNDERSTAND: (
            ProjectStep.Status.DONE,
            "Mapped our collection rounds, contamination checks and the flats service.",
        ),
        ProjectStep.Step.ANALYSE: (
            ProjectStep.Status.DONE,
            "Food waste capture is low in flats; contamination rejects 6% of dry recycling.",
        ),
        ProjectStep.Step.COMPARE: (
            ProjectStep.Status.IN_PROGRESS,
            "Visits booked with South Oxfordshire and Test Valley to see their flats schemes.",
        ),
        ProjectStep.Step.IMPLEMENT: (ProjectStep.Status.NOT_STARTED, ""),
    }
    for step in project.steps.all():
        step.status, step.notes = notes[step.step]
        step.save(update_fields=["status", "notes"])


def _savings(context) -> None:
    team = context.teams[0] if context.teams else None
    entries = [
        ("Route optimisation of refuse rounds", "2023/24", "reduced_inputs", True, "85000"),
        (
            "Online self-service for bulky waste bookings",
            "2023/24",
            "increased_outputs",
            False,
            "22000",
        ),
        ("LED street lighting (invest to save)", "2023/24", "invest_to_save", True, "-120000"),
        ("LED street lighting: energy saving", "2024/25", "invest_to_save", True, "64000"),
        ("Shared revenues and benefits service", "2024/25", "reduced_inputs", True, "150000"),
        ("Digital planning applications", "2024/25", "increased_outputs", False, "35000"),
    ]
    for description, year, approach, cashable, amount in entries:
        EfficiencySaving.objects.create(
            description=description,
            year=year,
            approach=approach,
            cashable=cashable,
            amount=Decimal(amount),
            team=team if "waste" in description.lower() or "refuse" in description else None,
            recorded_by=context.users.get("performance"),
        )


def _vfm_pairs(context) -> int:
    """Pair tagged output and input indicators of the same team; without any, add one demo pair."""
    outputs = list(Indicator.objects.filter(vfm_role=Indicator.VfmRole.OUTPUT).order_by("code"))
    inputs = list(Indicator.objects.filter(vfm_role=Indicator.VfmRole.INPUT).order_by("code"))
    made = 0
    for output in outputs:
        match = next((i for i in inputs if i.team_id == output.team_id), None)
        if match is not None:
            per = _per(output, match)
            VfmPair.objects.get_or_create(
                output=output,
                input=match,
                defaults={
                    "title": f"{output.title} ÷ {match.title[:1].lower()}{match.title[1:]}",
                    "per": per,
                    "unit_label": (
                        f"per {'£' if match.unit == Indicator.Unit.CURRENCY else ''}{per:,} of input"
                    ),
                },
            )
            made += 1
    if made:
        return made
    output = _demo_indicator(
        "VFM 001", "Household waste collected for recycling (tonnes)", "output", "number", 0
    )
    input_ = _demo_indicator(
        "VFM 002", "Net cost of waste collection (£000)", "input", "currency", 1
    )
    VfmPair.objects.get_or_create(
        output=output,
        input=input_,
        defaults={
            "title": "Recycling collected for the money spent",
            "unit_label": "tonnes per £1,000",
            "per": Decimal(1),
            "decimals": 2,
        },
    )
    last = performance_selectors.latest_reporting_period()
    rng = context.rng
    for step in range(8, 0, -1):
        period = last.shift(-(step - 1))
        tonnes = Decimal(4200 + rng.randint(-300, 300) + (8 - step) * 40)
        cost = Decimal(1650 + rng.randint(-60, 60) - (8 - step) * 8)
        for indicator, value in ((output, tonnes), (input_, cost)):
            Value.objects.get_or_create(
                indicator=indicator,
                period=str(period),
                defaults={
                    "period_start": period.start,
                    "value": value,
                    "status": Value.Status.ACTIVATED,
                },
            )
    return 1


def _per(output: Indicator, input_: Indicator) -> Decimal:
    """A power of ten that makes the latest output ÷ input readable (1 or more), e.g. per £1,000."""
    latest = {}
    for indicator in (output, input_):
        latest[indicator.pk] = (
            Value.objects.filter(indicator=indicator, status=Value.Status.ACTIVATED, value__gt=0)
            .order_by("-period_start")
            .values_list("value", flat=True)
            .first()
        )
    if not latest[output.pk] or not latest[input_.pk]:
        return Decimal(1)
    ratio = latest[output.pk] / latest[input_.pk]
    per = Decimal(1)
    while ratio * per < 1:
        per *= 10
    return per


def _demo_indicator(code: str, title: str, role: str, unit: str, decimals: int) -> Indicator:
    indicator, _ = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "title": f"{title} – demo data",
            "kind": Indicator.Kind.SPI,
            "perspective": Indicator.Perspective.FINANCIAL,
            "aspect": Indicator.Aspect.COST,
            "polarity": "none",
            "unit": unit,
            "decimals": decimals,
            "frequency": periods.Frequency.QUARTERLY.value,
            "aggregation": "sum",
            "vfm_role": role,
            "definition": "Invented for the demo to show value for money.",
        },
    )
    return indicator

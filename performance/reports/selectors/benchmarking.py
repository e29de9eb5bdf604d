"""The benchmarking report: our position on each measure against the default comparator group."""

from __future__ import annotations

from collections import Counter

from benchmarking import selectors as bm_selectors
from performance.core.periods import Period
from performance.reports.data import (
    DERIVED,
    Audience,
    Column,
    Kind,
    Report,
    Section,
    Table,
    plain,
)
from performance.reports.selectors.common import _bars, _report


def benchmarking(*, period: Period, audience: Audience, **_: object) -> Report:
    """Our latest position on every benchmark measure in the default comparator group (SPEC §8)."""
    group = bm_selectors.default_group()
    columns = [
        Column("measure", "Measure"),
        Column("period", "Period"),
        Column("value", "Our value", "number", 1),
        Column("rank", "Rank", "int"),
        Column("of", "Of", "int"),
        Column("quartile", "Quartile"),
        Column("median", "Group median", "number", 1),
        Column("direction", "Position trend", "direction"),
        Column("source", "Source"),
    ]
    rows = []
    sections = []
    if group is None:
        summary = "No comparator group has been set up yet."
    else:
        overview = bm_selectors.overview(group)
        quartile_words = {1: "1 (top)", 2: "2", 3: "3", 4: "4 (bottom)"}
        for item in overview.rows:
            position = item.position
            rows.append(
                {
                    "measure": item.measure.title,
                    "period": item.period or "",
                    "value": plain(position.value if position else None),
                    "rank": position.rank if position and position.rank else "",
                    "of": position.of if position else "",
                    "quartile": quartile_words.get(position.quartile, "Not judged")
                    if position and position.quartile
                    else "–",
                    "median": plain(position.median if position else None),
                    "direction": item.change.direction.value if item.change else "none",
                    "source": item.measure.source
                    + (" (demo data)" if item.measure.is_demo else ""),
                    # Our value is as imported; the group's median is worked out (open data).
                    DERIVED: ["median"],
                }
            )
        counts = overview.counts
        by_quartile = Counter({f"q{n}": counts.by_quartile[n - 1] for n in range(1, 5)})
        legend = {
            "q1": ("1st (top) quartile", "green"),
            "q2": ("2nd quartile", "blue"),
            "q3": ("3rd quartile", "amber"),
            "q4": ("4th (bottom)", "red"),
        }
        summary = (
            f"Compared with {group.name}: {counts.by_quartile[0]} measures in the top quartile, "
            f"{counts.by_quartile[3]} in the bottom; {counts.improving} improving, "
            f"{counts.deteriorating} deteriorating."
        )
        sections.append(
            Section(
                id="summary",
                title="Summary",
                paragraphs=[summary],
                charts=[
                    _bars(
                        "chart-quartiles",
                        f"Measures by quartile against {group.name}",
                        by_quartile,
                        legend,
                    )
                ],
            )
        )
    sections.append(
        Section(
            id="measures",
            title="Our position on each measure",
            paragraphs=[
                "Quartile 1 is the best 25% of the group (polarity-aware); rank 1 is the best. "
                "Each measure shows its latest period with data."
            ],
            tables=[
                Table(
                    id="benchmark-measures",
                    caption=f"Benchmark positions{f' against {group.name}' if group else ''}",
                    columns=columns,
                    rows=rows,
                    sheet="Measures",
                    note="" if rows else "No benchmark data yet.",
                )
            ],
        )
    )
    return _report(
        Kind.BENCHMARKING,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption="Benchmark positions",
            columns=columns,
            rows=rows,
            sheet="Open data",
        ),
        summary=[summary],
    )

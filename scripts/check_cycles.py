"""List import cycles between the apps and the areas of `performance/` (run: python scripts/check_cycles.py).

import-linter's layers contract forbids upward imports; this script shows the evidence directly:
for every pair of units it asks grimp for an import chain each way and prints any pair that has
both (a cycle). Exit status 1 when a cycle exists.
"""

from __future__ import annotations

import itertools
import sys

import grimp

APPS = ["config", "reach_summit", "benchmarking", "dataquality"]
AREAS = [
    "performance.core",
    "performance.models",
    "performance.common",
    "performance.indicators",
    "performance.collection",
    "performance.plans",
    "performance.manage",
    "performance.home",
    "performance.demo",
    "performance.reports",
]


def main() -> int:
    graph = grimp.build_graph(
        "config", "performance", "reach_summit", "benchmarking", "dataquality"
    )
    units = APPS + AREAS
    cycles = []
    for a, b in itertools.combinations(units, 2):
        if b.startswith(a + ".") or a.startswith(b + "."):
            continue
        there = graph.find_shortest_chains(importer=a, imported=b, as_packages=True)
        back = graph.find_shortest_chains(importer=b, imported=a, as_packages=True)
        if there and back:
            cycles.append((a, b, sorted(there)[0], sorted(back)[0]))
    for a, b, there, back in cycles:
        print(f"cycle {a} <-> {b}:\n  {' -> '.join(there)}\n  {' -> '.join(back)}")
    print(f"{len(units)} units, {len(cycles)} cycles between them")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())

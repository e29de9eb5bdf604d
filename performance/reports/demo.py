"""The reports' part of the demo council (the last step of seed_demo): one published report.

The latest closed quarter's quarterly report for Cabinet is published, as a performance officer
would, so the public transparency pages (/public/) have a report, its PDF and its open data.
It is published synchronously through `services.publish` (seeding is a command, no worker).
"""

from __future__ import annotations

from performance.indicators import selectors as performance_selectors
from performance.reports import services
from performance.reports.data import Audience, Kind


def seed(context) -> None:
    officer = context.users.get("performance")
    period = performance_selectors.latest_reporting_period()
    row = services.publish(
        actor=officer,
        kind=Kind.QUARTERLY,
        period=period,
        audience=Audience.CABINET,
        note="Published by the demo seed.",
    )
    exceptions = sum(len(section["spotlights"]) for section in row.snapshot["sections"])
    context.log(
        f"Reports: published the {Kind.QUARTERLY.title.lower()} {period} for "
        f"{Audience.CABINET.label} (version {row.version}, {exceptions} Red and Amber indicators)."
    )

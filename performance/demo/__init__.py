"""The deterministic demo council behind `seed_demo` (SPEC §11).

Each app adds its own part with a `demo.seed(context)` function; `build()` calls them in the
order of DEMO_STEPS inside one transaction, so a failed seed leaves the database as it was.
The same scale and seed always give the same council.

This package's own steps: `seed` here is the organisation's (`organisation`: directorates,
teams, people and the Strategic Plan), then `indicators` (services, indicators, targets, values
and plans) and `collection` (the open collection round).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from performance.core.roles import Role

# The first step ("performance.demo" in DEMO_STEPS) is the organisation's.
from performance.demo.organisation import DEMO_PASSWORD, TEAM_NAMES, seed
from performance.models import Team

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_STEPS",
    "SCALES",
    "TEAM_NAMES",
    "DemoContext",
    "Scale",
    "already_seeded",
    "build",
    "seed",
]


@dataclass(frozen=True)
class Scale:
    name: str
    teams: int
    extra_users: int
    complaints: int | None = None  # exact number of complaints; None: 0-5 per team a quarter


SCALES = {
    "small": Scale("small", teams=10, extra_users=20),
    "council": Scale("council", teams=25, extra_users=80),
    "county": Scale("county", teams=60, extra_users=200),
    "stress": Scale("stress", teams=250, extra_users=395, complaints=50_000),
}

# Apps that add to the demo, in order; a module that does not exist yet is skipped.
DEMO_STEPS = [
    "performance.demo",
    "performance.demo.indicators",
    "performance.demo.collection",
    "performance.demo.plan_requests",
    "performance.risks.demo",
    "reach_summit.demo",
    "benchmarking.demo",
    "dataquality.demo",
    "performance.reports.demo",
]


@dataclass
class DemoContext:
    """What the steps share: the scale, one random source, and what earlier steps made."""

    scale: Scale
    rng: random.Random
    log: Callable[[str], None]
    teams: list[Team] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)
    logins: list[tuple[str, Role, str]] = field(default_factory=list)
    cache: dict[str, object] = field(default_factory=dict)


def already_seeded() -> bool:
    return get_user_model().objects.filter(username="performance").exists() or Team.objects.exists()


@transaction.atomic
def build(*, scale: str, seed: int, log: Callable[[str], None] = lambda _: None) -> DemoContext:
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    if already_seeded():
        raise ValueError(
            "The database already holds a council (teams or the demo users exist); "
            "seed_demo only fills an empty database."
        )
    context = DemoContext(scale=SCALES[scale], rng=random.Random(seed), log=log)
    for module_name in DEMO_STEPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.seed(context)
    return context

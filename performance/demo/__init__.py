"""The deterministic demo council behind `seed_demo` (SPEC §11).

Each app adds its own part with a `demo.seed(context)` function; `build()` calls them in the
order of DEMO_STEPS inside one transaction, so a failed seed leaves the database as it was.
The same scale and seed always give the same council.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from performance.common import access
from performance.core.roles import Role
from performance.models import Directorate, Outcome, Priority, StrategicPlan, Team, TeamMembership

DEMO_PASSWORD = "summit-demo"


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
    "reach_summit.demo",
    "benchmarking.demo",
    "dataquality.demo",
    "performance.reports.demo",
]

DIRECTORATES = ["Place", "People and Communities", "Corporate Services"]
TEAM_NAMES = [
    ("Waste and Street Scene", "Place"),
    ("Development Management", "Place"),
    ("Housing and Homelessness", "People and Communities"),
    ("Revenues and Benefits", "Corporate Services"),
    ("Customer Services", "Corporate Services"),
    ("Environmental Health", "People and Communities"),
    ("Parking Services", "Place"),
    ("Leisure and Culture", "People and Communities"),
    ("Democratic Services", "Corporate Services"),
    ("ICT and Digital", "Corporate Services"),
    ("Building Control", "Place"),
    ("Community Safety", "People and Communities"),
]
FIRST_NAMES = [
    "Amelia",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farhan",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Rhys",
    "Sophie",
    "Tom",
    "Zara",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Patel",
    "Roberts",
    "Singh",
    "Taylor",
    "Walker",
    "Wilson",
    "Young",
]
PLAN = {
    "title": "Strategic Plan",
    "first_year": 2024,
    "vision": "A vibrant, prosperous borough where people are proud to live, work and visit.",
    "community_strategy": "Sustainable Community Strategy 2020–2030: a borough that works for everyone.",
    "financial_strategy": (
        "Medium-term financial strategy 2024/25–2028/29: a balanced budget each year, "
        "£2.1m of savings over four years, reserves kept above £4m."
    ),
    "priorities": [
        (
            "Safe, clean and green",
            [
                "Streets and open spaces are clean and well maintained",
                "Household waste is reduced and more of it is recycled",
                "Residents feel safe in their neighbourhoods",
            ],
        ),
        (
            "Homes and communities",
            [
                "Fewer households are homeless or in temporary accommodation",
                "New homes meet local need, including affordable homes",
            ],
        ),
        (
            "A thriving place",
            [
                "Planning decisions are timely and of high quality",
                "The town centre and local high streets are vibrant",
            ],
        ),
        (
            "An efficient and accessible council",
            [
                "Customers get what they need at the first contact",
                "Council tax and business rates are collected efficiently",
                "The council's finances are sustainable",
            ],
        ),
    ],
}


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


def _team_names(count: int) -> list[tuple[str, str]]:
    names = list(TEAM_NAMES[:count])
    number = 1
    while len(names) < count:
        base, directorate = TEAM_NAMES[number % len(TEAM_NAMES)]
        names.append((f"{base} {number // len(TEAM_NAMES) + 2}", directorate))
        number += 1
    return names


def _make_user(context: DemoContext, username: str, first: str, last: str, roles: list[Role]):
    User = get_user_model()
    user = User(
        username=username, first_name=first, last_name=last, email=f"{username}@example.gov.uk"
    )
    # Hashing is slow on purpose and every demo user shares one password: hash it once.
    if "password_hash" not in context.cache:
        context.cache["password_hash"] = make_password(DEMO_PASSWORD)
    user.password = context.cache["password_hash"]
    user.save()
    user.groups.set([access.group_for(role) for role in roles])
    context.users[username] = user
    return user


def seed(context: DemoContext) -> None:
    """Directorates, teams, one login per role, more officers, and the Strategic Plan."""
    directorates = {name: Directorate.objects.create(name=name) for name in DIRECTORATES}
    for name, directorate in _team_names(context.scale.teams):
        context.teams.append(
            Team.objects.create(
                name=name, slug=slugify(name), directorate=directorates[directorate]
            )
        )
    first_team = context.teams[0]

    demo_logins = [
        ("performance", "Pat", "Okafor", [Role.PERFORMANCE_OFFICER]),
        ("enterer", "Erin", "Walsh", [Role.DATA_ENTERER]),
        ("manager", "Manjit", "Kaur", [Role.DATA_MANAGER]),
        ("head", "Hugh", "Bennett", [Role.SERVICE_MANAGER]),
        ("member", "Cllr Mary", "Ellis", [Role.MEMBER]),
    ]
    for username, first, last, roles in demo_logins:
        user = _make_user(context, username, first, last, roles)
        context.logins.append((username, roles[0], DEMO_PASSWORD))
        if roles[0] in (Role.DATA_ENTERER, Role.DATA_MANAGER):
            TeamMembership.objects.create(user=user, team=first_team)
    head = context.users["head"]
    for team in context.teams[:3]:
        team.head_of_service = head
        team.save(update_fields=["head_of_service"])

    # More officers: an enterer and a manager for every team, round-robin while they last.
    rng = context.rng
    taken = set(context.users)
    for index in range(context.scale.extra_users):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}".lower()
        suffix = 2
        while username in taken:
            username = f"{first}.{last}{suffix}".lower()
            suffix += 1
        taken.add(username)
        role = Role.DATA_ENTERER if index % 2 == 0 else Role.DATA_MANAGER
        user = _make_user(context, username, first, last, [role])
        team = context.teams[(index // 2) % len(context.teams)]
        TeamMembership.objects.create(user=user, team=team)

    plan = StrategicPlan.objects.create(
        title=PLAN["title"],
        first_year=PLAN["first_year"],
        vision=PLAN["vision"],
        community_strategy=PLAN["community_strategy"],
        financial_strategy=PLAN["financial_strategy"],
    )
    for number, (title, outcomes) in enumerate(PLAN["priorities"], start=1):
        priority = Priority.objects.create(plan=plan, number=number, title=title)
        for outcome_number, outcome in enumerate(outcomes, start=1):
            Outcome.objects.create(priority=priority, number=outcome_number, title=outcome)
    context.log(
        f"Organisation: {len(directorates)} directorates, {len(context.teams)} teams, "
        f"{len(context.users)} users; Strategic Plan {plan.years} with "
        f"{len(PLAN['priorities'])} priorities."
    )

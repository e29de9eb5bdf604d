"""The demo council's organisation and people (the first step of `seed_demo`).

`seed` makes the directorates, the teams, one login per role, more officers in the teams, and
the Strategic Plan; `services_and_staff` (called by the indicators step) adds a service per team
under Heads of Service and settles who enters and manages each team's data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from performance.common import access
from performance.core.roles import Role
from performance.demo import strategic_plan
from performance.demo.bulk import BATCH
from performance.models import Directorate, Service, Team, TeamMembership

if TYPE_CHECKING:
    from performance.demo import DemoContext

DEMO_PASSWORD = "summit-demo"
TEAMS_PER_HEAD = 3

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

    plan = strategic_plan.create_strategic_plan()
    context.log(
        f"Organisation: {len(directorates)} directorates, {len(context.teams)} teams, "
        f"{len(context.users)} users; Strategic Plan {plan.years} with "
        f"{len(strategic_plan.PLAN['priorities'])} priorities."
    )


# --- services and Heads of Service, enterers and data managers ------------------------------


@dataclass
class Org:
    """Who does what in each team, by id, as `services_and_staff` settled it."""

    enterers: dict[int, list[int]]  # team id → enterer ids (membership order)
    managers: dict[int, list[int]]
    heads: dict[int, int]  # team id → Head of Service id
    services: dict[int, int]  # team id → service id


def services_and_staff(context: DemoContext) -> Org:
    """Who enters and manages each team's data, and the services the teams belong to.

    Every team needs an enterer and a data manager; where the round-robin of `seed` above ran
    out of officers (the `stress` scale has more teams than officers), one covering officer
    of each role is borrowed from another team and made a member. Teams are grouped in threes
    under a Head of Service: "head" for the first three, then the group's first data manager,
    who is given the Service manager role as well.
    """
    user_model = get_user_model()
    teams = context.teams
    names_by_user: dict[int, set[str]] = defaultdict(set)
    for user_id, name in user_model.groups.through.objects.values_list(
        "user_id", "group__name"
    ).order_by("user_id", "group__name"):
        names_by_user[user_id].add(name)
    enterers: dict[int, list[int]] = defaultdict(list)
    managers: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in TeamMembership.objects.order_by("id").values_list("team_id", "user_id"):
        if Role.DATA_ENTERER.value in names_by_user[user_id]:
            enterers[team_id].append(user_id)
        if Role.DATA_MANAGER.value in names_by_user[user_id]:
            managers[team_id].append(user_id)
    # The demo logins stay in the first team only, so what they see is what the README says.
    logins = {context.users[name].pk for name in ("enterer", "manager") if name in context.users}
    pools = {
        Role.DATA_ENTERER: sorted({u for ids in enterers.values() for u in ids} - logins),
        Role.DATA_MANAGER: sorted({u for ids in managers.values() for u in ids} - logins),
    }
    borrowed = []
    for role, by_team in ((Role.DATA_ENTERER, enterers), (Role.DATA_MANAGER, managers)):
        pool = pools[role]
        for index, team in enumerate(teams):
            if not by_team[team.id] and pool:
                user_id = pool[index % len(pool)]
                by_team[team.id].append(user_id)
                borrowed.append(TeamMembership(team_id=team.id, user_id=user_id))
    TeamMembership.objects.bulk_create(borrowed, batch_size=BATCH, ignore_conflicts=True)

    head_id = context.users["head"].pk
    service_manager = access.group_for(Role.SERVICE_MANAGER)
    heads: dict[int, int] = {}
    promoted = []
    for start in range(0, len(teams), TEAMS_PER_HEAD):
        group = teams[start : start + TEAMS_PER_HEAD]
        if start == 0:
            chosen = head_id
        else:
            candidates = [m for team in group for m in managers[team.id]]
            chosen = candidates[0] if candidates else head_id
            if Role.SERVICE_MANAGER.value not in names_by_user[chosen]:
                names_by_user[chosen].add(Role.SERVICE_MANAGER.value)
                promoted.append(
                    user_model.groups.through(user_id=chosen, group_id=service_manager.pk)
                )
        for team in group:
            heads[team.id] = chosen
    user_model.groups.through.objects.bulk_create(promoted, batch_size=BATCH)

    services = Service.objects.bulk_create(
        [
            Service(
                name=team.name,
                directorate_id=team.directorate_id,
                head_of_service_id=heads[team.id],
            )
            for team in teams
        ],
        batch_size=BATCH,
    )
    for team, service in zip(teams, services, strict=True):
        team.service_id = service.pk
        team.head_of_service_id = heads[team.id]
    Team.objects.bulk_update(teams, ["service", "head_of_service"], batch_size=BATCH)
    return Org(
        enterers=dict(enterers),
        managers=dict(managers),
        heads=heads,
        services={team.id: team.service_id for team in teams},
    )

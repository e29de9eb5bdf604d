"""Who may see and do what, per object (SPEC §1).

A role (Django group) says what a person may do; their team memberships say where. Views and
services ask these functions rather than checking groups themselves, so the rules live in one
place. Querysets returned here are meant to be filtered further, never widened.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from performance.core.roles import Role
from performance.models import Team


def roles_of(user) -> set[Role]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_summit_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = {role for role in Role if role.value in names}
        if user.is_superuser:
            cached.add(Role.PERFORMANCE_OFFICER)
        user._summit_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role in roles_of(user)


def is_performance_officer(user) -> bool:
    return has_role(user, Role.PERFORMANCE_OFFICER)


def primary_role(user) -> Role | None:
    """The role whose dashboard a person sees first: the widest one they hold."""
    held = roles_of(user)
    for role in (
        Role.PERFORMANCE_OFFICER,
        Role.SERVICE_MANAGER,
        Role.DATA_MANAGER,
        Role.DATA_ENTERER,
        Role.MEMBER,
    ):
        if role in held:
            return role
    return None


def member_team_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_summit_team_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("team_id", flat=True))
        cached |= set(user.headed_teams.values_list("id", flat=True))
        # A Head of Service answers for every team of the services they head.
        cached |= set(
            Team.objects.filter(service__head_of_service=user).values_list("id", flat=True)
        )
        user._summit_team_ids = cached
    return cached


def teams_readable(user) -> QuerySet[Team]:
    """Teams whose activated (published-inside) figures a person may read.

    Performance officers and members (Management Team, Cabinet, O&S) read every team; others
    read their own teams.
    """
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Team.objects.none()
    if is_performance_officer(user) or has_role(user, Role.MEMBER):
        return Team.objects.all()
    return Team.objects.filter(id__in=member_team_ids(user))


def can_edit_team_data(user, team: Team) -> bool:
    """Enter, change or see drafts of a team's data: its own people and performance officers."""
    if is_performance_officer(user):
        return True
    if not roles_of(user) & {Role.DATA_ENTERER, Role.DATA_MANAGER, Role.SERVICE_MANAGER}:
        return False
    return team.id in member_team_ids(user)


def group_for(role: Role):
    """The Django group of a role (made by a migration; recreated if a test flush removed it)."""
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=role.value)[0]

"""The access gate (SPEC §1): what a person may do with one object, and getters that enforce it.

Visibility of lists is defined once, on the models' QuerySets (`performance.models.visibility`:
`Indicator.objects.readable_by(user)`, `Value.objects.drafts_visible_to(user)`, …). This module
adds what a view needs for one object:

- getters that return the object or raise: `indicator_for(user, pk, to="read"|"enter"|"manage")`,
  `value_for(user, pk, to="read"|"manage")`, `service_plan_for(user, pk, to="read"|"update")`,
  `action_plan_for(user, pk, to="read"|"edit")`. Something a person may not see is a 404 (its
  id reveals nothing); something they see but may not act on is a 403.
- yes/no checks for templates and services (`can_enter`, `can_manage`, `can_edit_action_plan`…).

Views, selectors, exports and reports ask here or on the QuerySets; none checks groups itself.
`denied` is the reason given with a 403 (kept in logs; the page itself says only that access is
not included).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Literal, TypeVar

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from performance.core.roles import Role
from performance.models import (
    ActionPlan,
    Activity,
    Indicator,
    ServicePlan,
    StrategicAction,
    Team,
    Value,
)
from performance.models.visibility import (
    User,
    has_role,
    is_performance_officer,
    member_team_ids,
    readable_team_ids,
    roles_of,
    sees_every_team,
    works_on_data,
)

M = TypeVar("M", bound=Model)

__all__ = [
    "Role",
    "User",
    "action_plan_for",
    "can_edit_action_plan",
    "can_edit_team_data",
    "can_enter",
    "can_manage",
    "can_record_progress",
    "can_see_drafts",
    "can_see_team_data",
    "can_update_action",
    "group_for",
    "has_role",
    "indicator_for",
    "is_performance_officer",
    "may_comment",
    "member_team_ids",
    "primary_role",
    "readable_team_ids",
    "roles_of",
    "sees_every_team",
    "service_plan_for",
    "value_for",
    "works_in_service",
    "works_on_data",
]


def primary_role(user: User) -> Role | None:
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


def group_for(role: Role) -> Group:
    """The Django group of a role (made by a migration; recreated if a test flush removed it)."""
    return Group.objects.get_or_create(name=role.value)[0]


# --- one object: yes or no ---------------------------------------------------------------------


def can_enter(user: User, indicator: Indicator) -> bool:
    """Enterers assigned to the indicator, and performance officers."""
    if is_performance_officer(user):
        return True
    # Asked up to three times a save (the access check, the view, the service) about the same
    # indicator and the same request's person: answered once (issue 23). The answer is kept for
    # that very person object only (a weak reference): a request loads its person afresh, so an
    # indicator object that outlived its request (a cached figure's) never answers another
    # request from memory, and a change of the indicator's enterers forgets it at once.
    known: dict[int | None, tuple[weakref.ref[object], bool]] = indicator.__dict__.setdefault(
        "_enterers_asked", {}
    )
    kept = known.get(user.pk)
    if kept is not None and kept[0]() is user:
        return kept[1]
    # An anonymous person's pk is None, which matches no one (False), as it should.
    answer: bool = indicator.enterers.filter(pk=user.pk).exists()  # type: ignore[misc]
    known[user.pk] = (weakref.ref(user), answer)
    return answer


def can_manage(user: User, indicator: Indicator) -> bool:
    """Data managers assigned to the indicator, and performance officers."""
    if is_performance_officer(user):
        return True
    # An anonymous person's pk is None, which matches no one (False), as it should.
    return indicator.managers.filter(pk=user.pk).exists()  # type: ignore[misc]


def can_see_drafts(user: User, indicator: Indicator) -> bool:
    """Drafts of an indicator are visible to its enterers, its managers and officers."""
    return can_enter(user, indicator) or can_manage(user, indicator)


def can_edit_team_data(user: User, team: Team) -> bool:
    """Enter, change or see drafts of a team's data: its own people and performance officers."""
    if is_performance_officer(user):
        return True
    if not works_on_data(user):
        return False
    return team.id in member_team_ids(user)


def can_see_team_data(user: User, value: Value) -> bool:
    """A value's evidence: the team's working people, its enterers and managers, and officers
    (the one-object form of `Value.objects.team_data_visible_to`)."""
    if is_performance_officer(user):
        return True
    team = value.indicator.team
    if team is not None and can_edit_team_data(user, team):
        return True
    return can_see_drafts(user, value.indicator)


def may_comment(user: User) -> bool:
    """Anyone with a role who can read an indicator may comment on it."""
    return bool(roles_of(user))


def works_in_service(user: User, plan: ServicePlan) -> bool:
    """The service's Head of Service, a performance officer, or someone who works on the data
    (enterer, manager, service manager) in one of its teams; a member only reads."""
    if is_performance_officer(user) or plan.service.head_of_service_id == user.pk:
        return True
    if not works_on_data(user):
        return False
    teams = member_team_ids(user)
    return bool(teams) and Team.objects.filter(service_id=plan.service_id, id__in=teams).exists()


def can_record_progress(user: User, activity: Activity, *, works_in_service: bool) -> bool:
    """Monthly progress on an activity: people who work in the service, and its owner."""
    return works_in_service or activity.owner_id == user.pk


def can_update_action(user: User, action: StrategicAction) -> bool:
    """A strategic action's bi-annual update: its owner and performance officers."""
    return is_performance_officer(user) or action.owner_id == user.pk


def can_edit_action_plan(user: User, plan: ActionPlan) -> bool:
    """Revise an action plan: its owner, its team's head and performance officers."""
    return (
        is_performance_officer(user)
        or plan.owner_id == user.pk
        or plan.team.head_of_service_id == user.pk
    )


# --- one object: the getters ---------------------------------------------------------------------


def _one(queryset: QuerySet[M], pk: int, related: Sequence[str]) -> M:
    if related:
        queryset = queryset.select_related(*related)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.")
    return found


def indicator_for(
    user: User,
    pk: int,
    *,
    to: Literal["read", "drafts", "enter", "manage"] = "read",
    related: Sequence[str] = (),
    denied: str = "",
) -> Indicator:
    """The indicator `pk` if `user` may `to` it.

    read: its activated figures (`Indicator.objects.readable_by`), else 404. drafts: its drafts
    must be visible to the person (an enterer, a data manager or an officer), else 404. enter /
    manage: as drafts, and they must be an assigned enterer / data manager or an officer (else 403).
    """
    if to == "read":
        indicator: Indicator = _one(Indicator.objects.readable_by(user), pk, related)
        return indicator
    indicator = _one(Indicator.objects.all(), pk, related)
    if not can_see_drafts(user, indicator):
        raise Http404("No such indicator.")
    if to == "drafts":
        return indicator
    allowed = can_enter(user, indicator) if to == "enter" else can_manage(user, indicator)
    if not allowed:
        raise PermissionDenied(denied)
    return indicator


def value_for(
    user: User,
    pk: int,
    *,
    to: Literal["read", "evidence", "manage"] = "read",
    related: Sequence[str] = (),
    denied: str = "",
) -> Value:
    """The value `pk`, in any state, if the person may see its drafts (else 404); `to="manage"`
    also needs them to manage its indicator (else 403). `to="evidence"`: the value's team data
    (its evidence), seen also by the team's working people (`Value.objects.team_data_visible_to`).
    """
    if to == "evidence":
        found: Value = _one(Value.objects.team_data_visible_to(user), pk, related)
        return found
    value: Value = _one(Value.objects.drafts_visible_to(user), pk, related)
    if to == "manage" and not can_manage(user, value.indicator):
        raise PermissionDenied(denied)
    return value


def service_plan_for(
    user: User,
    pk: int,
    *,
    to: Literal["read", "update"] = "read",
    related: Sequence[str] = (),
    denied: str = "",
) -> ServicePlan:
    """The service plan `pk` if the person reads it (else 404); `to="update"` also needs them to
    work in its service (else 403)."""
    plan: ServicePlan = _one(ServicePlan.objects.readable_by(user), pk, related)
    if to == "update" and not works_in_service(user, plan):
        raise PermissionDenied(denied)
    return plan


def action_plan_for(
    user: User,
    pk: int,
    *,
    to: Literal["read", "edit"] = "read",
    related: Sequence[str] = (),
    denied: str = "",
) -> ActionPlan:
    """The action plan `pk` if the person reads it (else 404); `to="edit"` also needs them to be
    its owner, its team's head or an officer (else 403)."""
    plan: ActionPlan = _one(ActionPlan.objects.readable_by(user), pk, related)
    if to == "edit" and not can_edit_action_plan(user, plan):
        raise PermissionDenied(denied)
    return plan

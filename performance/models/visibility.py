"""Who may see what, written once (SPEC §1): a person's roles and teams, and the QuerySets.

A role (a Django group) says what a person may do; their teams say where. Every page, export,
report and command that lists or fetches an object narrows it here, through the QuerySet
methods below (`Indicator.objects.readable_by(user)`, `Value.objects.drafts_visible_to(user)`,
…), and `performance.common.access` adds the getters that return one object or raise. Nothing
else in the project decides visibility.

The rules:
- Performance officers and members (Management Team, Cabinet, O&S) read every team's activated
  figures, indicators, service plans and action plans; everyone else reads their own teams'
  (a team they belong to, head, or whose service they head). An indicator without a team is
  read by officers and members only: it is council-wide or not yet configured, and no team's
  people answer for it (decisions.md).
- Drafts (anything not yet activated) are seen by the indicator's enterers and data managers and
  by performance officers; team data (evidence) also by the team's working people.
- Querysets returned here are meant to be filtered further, never widened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from performance.core.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Named in the QuerySets' bases below, as strings: the models import this module.
    from performance.models import ActionPlan, Indicator, Risk, ServicePlan, Team, Value  # noqa: F401

    User = AbstractBaseUser | AnonymousUser
else:
    User = Any

# Roles whose holders work on a team's data (not only read it).
WORKING_ROLES = frozenset({Role.DATA_ENTERER, Role.DATA_MANAGER, Role.SERVICE_MANAGER})


# --- the person --------------------------------------------------------------------------------


def roles_of(user: User) -> set[Role]:
    """The roles a person holds (a superuser is a performance officer); cached on the user."""
    if not user.is_authenticated:
        return set()
    cached: set[Role] | None = getattr(user, "_summit_roles", None)
    if cached is None:
        # `User` is what request.user is typed as (AbstractBaseUser); the user model is
        # auth.User, which has groups.
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        cached = {role for role in Role if role.value in names}
        if getattr(user, "is_superuser", False):
            cached.add(Role.PERFORMANCE_OFFICER)
        user._summit_roles = cached  # type: ignore[attr-defined]  # a cache kept on the object
    return cached


def has_role(user: User, role: Role) -> bool:
    return role in roles_of(user)


def is_performance_officer(user: User) -> bool:
    return has_role(user, Role.PERFORMANCE_OFFICER)


def sees_every_team(user: User) -> bool:
    """Performance officers and members read every team's activated figures."""
    held = roles_of(user)
    return Role.PERFORMANCE_OFFICER in held or Role.MEMBER in held


def works_on_data(user: User) -> bool:
    """Enterers, data managers and service managers work on their teams' data."""
    return bool(roles_of(user) & WORKING_ROLES)


def member_team_ids(user: User) -> set[int]:
    """Teams a person belongs to, heads, or whose service they head; cached on the user."""
    if not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_summit_team_ids", None)
    if cached is None:
        team = apps.get_model("performance", "Team")
        # memberships and headed_teams are reverse relations to auth.User (the user model), which
        # the AbstractBaseUser of `User` does not declare.
        cached = set(user.memberships.values_list("team_id", flat=True))  # type: ignore[attr-defined]
        cached |= set(user.headed_teams.values_list("id", flat=True))  # type: ignore[attr-defined]
        # A Head of Service answers for every team of the services they head.
        cached |= set(
            team.objects.filter(service__head_of_service=user).values_list("id", flat=True)
        )
        user._summit_team_ids = cached  # type: ignore[attr-defined]  # a cache kept on the object
    return cached


def readable_team_ids(user: User) -> set[int] | None:
    """The ids of the teams a person reads, or None when they read every team."""
    if sees_every_team(user):
        return None
    return member_team_ids(user)


# --- the QuerySets -----------------------------------------------------------------------------


class TeamQuerySet(models.QuerySet["Team"]):
    def readable_by(self, user: User) -> TeamQuerySet:
        """Teams whose activated figures a person may read."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_team(user):
            return self.all()
        return self.filter(id__in=member_team_ids(user))

    def plans_openable_by(self, user: User) -> TeamQuerySet:
        """Active teams a person may open an action plan for: any for a performance officer; a
        Head of Service their own; a service manager the teams they belong to."""
        if is_performance_officer(user):
            return self.filter(active=True)
        managed = Q(head_of_service=user)
        if has_role(user, Role.SERVICE_MANAGER):
            managed |= Q(id__in=member_team_ids(user))
        return self.filter(managed, active=True)


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def readable_by(self, user: User) -> IndicatorQuerySet:
        """Indicators whose activated figures a person may read (the indicator pages, benchmarking,
        value for money, reports). Officers and members: all; others: their teams' indicators."""
        if sees_every_team(user):
            return self.all()
        team = apps.get_model("performance", "Team")
        return self.filter(team__in=team.objects.readable_by(user))

    def enterable_by(self, user: User) -> IndicatorQuerySet:
        """Indicators whose values a person may enter: assigned enterers, and officers."""
        if is_performance_officer(user):
            return self.all()
        # Only signed-in people reach this (an auth.User); `User` also admits AnonymousUser.
        return self.filter(enterers=user)  # type: ignore[misc]

    def manageable_by(self, user: User) -> IndicatorQuerySet:
        """Indicators whose values a person may activate or return: assigned data managers, and
        officers."""
        if is_performance_officer(user):
            return self.all()
        # Only signed-in people reach this (an auth.User); `User` also admits AnonymousUser.
        return self.filter(managers=user)  # type: ignore[misc]

    def drafts_visible_to(self, user: User) -> IndicatorQuerySet:
        """Indicators whose drafts a person sees: their enterers and managers, and officers."""
        if is_performance_officer(user):
            return self.all()
        return self.filter(Q(enterers=user) | Q(managers=user)).distinct()


class ValueQuerySet(models.QuerySet["Value"]):
    def readable_by(self, user: User) -> ValueQuerySet:
        """Activated values of the indicators a person reads: what pages and reports show."""
        indicator = apps.get_model("performance", "Indicator")
        return self.filter(
            status="activated", indicator__in=indicator.objects.readable_by(user).values("id")
        )

    def drafts_visible_to(self, user: User) -> ValueQuerySet:
        """Values in any state that a person may see: those of indicators they enter or manage
        (all for officers). Guessing another id outside this gives 404."""
        if is_performance_officer(user):
            return self.all()
        return self.filter(Q(indicator__enterers=user) | Q(indicator__managers=user)).distinct()

    def manageable_by(self, user: User) -> ValueQuerySet:
        """Values a person may activate, return or correct: their indicators' as data manager."""
        if is_performance_officer(user):
            return self.all()
        indicator = apps.get_model("performance", "Indicator")
        return self.filter(indicator__in=indicator.objects.filter(managers=user).values("id"))

    def team_data_visible_to(self, user: User) -> ValueQuerySet:
        """Values whose evidence a person may see: drafts they may see, plus their teams' values
        for people who work on the team's data."""
        if is_performance_officer(user):
            return self.all()
        shown = Q(indicator__enterers=user) | Q(indicator__managers=user)
        if works_on_data(user):
            shown |= Q(indicator__team_id__in=member_team_ids(user))
        return self.filter(shown).distinct()


class ServicePlanQuerySet(models.QuerySet["ServicePlan"]):
    def readable_by(self, user: User) -> ServicePlanQuerySet:
        """Officers and members read every service plan; others those of their services (a team
        member or the Head of Service) and the plans in which they own an activity."""
        if sees_every_team(user):
            return self.all()
        teams = member_team_ids(user)
        return self.filter(
            Q(service__teams__id__in=teams)
            | Q(service__head_of_service=user)
            | Q(objectives__activities__owner=user)
        ).distinct()


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def readable_by(self, user: User) -> ActionPlanQuerySet:
        """Plans of the teams a person reads, plus those they own or own an action in."""
        action = apps.get_model("performance", "Action")
        team = apps.get_model("performance", "Team")
        owns_an_action = action.objects.filter(owner=user).values("version__plan_id")
        return self.filter(
            Q(team__in=team.objects.readable_by(user)) | Q(owner=user) | Q(pk__in=owns_an_action)
        )


class RiskQuerySet(models.QuerySet["Risk"]):
    """Risks (SPEC §14). Open risks of every register are read as the indicators are: officers
    and members read all, others their teams' risks, the council-wide ones (no team) and the
    risks they own. A *confidential* risk (commercially sensitive, legal or staffing matters:
    decisions.md) is read only by performance officers, its owner, and the Head of Service and
    service managers of its team; members and the team's other staff see it in no list."""

    def readable_by(self, user: User) -> RiskQuerySet:
        if not user.is_authenticated:
            return self.none()
        if is_performance_officer(user):
            return self.all()
        teams = member_team_ids(user)
        confidential = Q(owner=user)
        if has_role(user, Role.SERVICE_MANAGER):
            confidential |= Q(team_id__in=teams)
        else:
            confidential |= Q(team__head_of_service=user) | Q(team__service__head_of_service=user)
        if sees_every_team(user):
            open_to = Q(confidential=False)
        else:
            open_to = Q(confidential=False) & (
                Q(team__isnull=True) | Q(team_id__in=teams) | Q(owner=user)
            )
        return self.filter(open_to | (Q(confidential=True) & confidential))

    def reviewable_by(self, user: User) -> RiskQuerySet:
        """Risks a person reviews: their own, and every risk for a performance officer."""
        if is_performance_officer(user):
            return self.all()
        # Only signed-in people reach the filter (an auth.User); `User` also admits AnonymousUser.
        return self.filter(owner=user) if user.is_authenticated else self.none()  # type: ignore[misc]

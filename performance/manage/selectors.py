"""Reads of the Manage area: the querysets its pages list, shaped for the templates.

Every list reads its page with the related rows it shows (`select_related`/`prefetch_related`),
so a page's query count does not grow with its rows (budget: 25, asserted in the tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth import models as auth
from django.core.paginator import Page, Paginator
from django.db import models

from performance.core import periods
from performance.core.calculations import SmartPart, SmartRecord, smart_gaps
from performance.core.roles import Role
from performance.models import (
    Activity,
    Indicator,
    LongTermTarget,
    Outcome,
    Target,
    Team,
    TeamMembership,
)

PAGE_SIZE = 50


def records_page(
    *,
    model: type[models.Model],
    related: Sequence[str] = (),
    order: Sequence[str] = (),
    narrowed_to: tuple[str, models.Model] | None = None,
    page: str | None,
) -> Page[models.Model]:
    """One page of `model`'s records, optionally only those whose `field` is `parent`.

    `order` replaces the model's own ordering when given. An out-of-range or non-numeric `page`
    gives the last or first page (Paginator.get_page).
    """
    queryset = model._default_manager.select_related(*related)
    if order:
        queryset = queryset.order_by(*order)
    if narrowed_to is not None:
        field, parent = narrowed_to
        queryset = queryset.filter(**{field: parent})
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def target_gaps(target: Target | LongTermTarget, period: str) -> list[SmartPart]:
    """The SMART parts a target lacks (performance.core.calculations.smart_gaps).

    Reads `target.indicator` and, when linked, `target.outcome`: select them with the target.
    """
    indicator = target.indicator
    return smart_gaps(
        SmartRecord(
            linked_to=str(target.outcome) if target.outcome_id else None,
            unit=indicator.unit,
            value=target.value,
            baseline=indicator.baseline,
            trend_evidence=bool(target.achievable_evidence.strip()),
            benchmark_quartile=target.benchmark_quartile,
            realistic=target.realistic,
            realism_note=target.realism_note,
            period=period,
        )
    )


# --- choices offered by the forms ---------------------------------------------------------------


def active_users() -> models.QuerySet[auth.User]:
    """People who may be given work: active accounts, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def outcomes() -> models.QuerySet[Outcome]:
    """The strategic outcomes, in plan order, with their priority (their name includes it)."""
    return Outcome.objects.select_related("priority").order_by(
        "priority__plan__first_year", "priority__number", "number"
    )


def activities() -> models.QuerySet[Activity]:
    """Service-plan activities, newest plan first, with what their choice label shows."""
    return Activity.objects.select_related("objective__plan__service").order_by(
        "-objective__plan__year", "objective__plan__service__name", "objective__number", "id"
    )


# --- people ---------------------------------------------------------------------------------------


def people_page(*, page: str | None) -> tuple[Page[auth.User], list[dict[str, Any]]]:
    """A page of accounts (active first, by name) and a row each: its roles and team names."""
    users = (
        get_user_model()
        .objects.order_by("-is_active", "first_name", "last_name", "username")
        .prefetch_related("groups", "memberships__team")
    )
    found = Paginator(users, PAGE_SIZE).get_page(page)
    roles = {role.value for role in Role}
    rows = [
        {
            "user": user,
            "roles": sorted(g.name for g in user.groups.all() if g.name in roles),
            "teams": sorted(m.team.name for m in user.memberships.all()),
        }
        for user in found.object_list
    ]
    return found, rows


def roles_held(user: auth.User) -> list[str]:
    """The Summit roles (group names) `user` holds; other Django groups are left out."""
    roles = {role.value for role in Role}
    return [name for name in user.groups.values_list("name", flat=True) if name in roles]


def memberships_of(user: auth.User) -> models.QuerySet[TeamMembership]:
    return user.memberships.select_related("team").order_by("team__name")


def members_of(team: Team) -> models.QuerySet[TeamMembership]:
    """A team's memberships by the member's name, with what the members table shows."""
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


# --- targets for a year ---------------------------------------------------------------------------


def targets_by_period(
    indicator: Indicator, periods_: Iterable[periods.Period]
) -> dict[str, Target]:
    """`indicator`'s targets for `periods_`, keyed by the written period."""
    return {
        target.period: target
        for target in Target.objects.filter(
            indicator=indicator, period__in=[str(p) for p in periods_]
        ).select_related("outcome__priority", "indicator")
    }

"""Reads of the home dashboard: the teams a person sees and their assignments."""

from __future__ import annotations

from django.contrib.auth import models as auth
from django.db.models import Count, QuerySet

from performance.common import access
from performance.models import Team


def teams_for_dashboard(*, user: access.User) -> QuerySet[Team]:
    return (
        Team.objects.readable_by(user)
        .select_related("directorate", "head_of_service")
        .annotate(people=Count("memberships"))
        .order_by("directorate__name", "name")
    )


def teams_by_directorate() -> list[tuple[int, str, list[tuple[int, str]]]]:
    """(directorate id, name, [(team id, team name)...]) by directorate name then team name:
    every team, for those who read them all. One query of plain values."""
    grouped: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for pk, name, directorate_id, directorate_name in Team.objects.order_by(
        "directorate__name", "name"
    ).values_list("id", "name", "directorate_id", "directorate__name"):
        grouped.setdefault(directorate_id, (directorate_name, []))[1].append((pk, name))
    return [(pk, name, teams) for pk, (name, teams) in grouped.items()]


def assigned_indicator_ids(*, user: auth.User, as_manager: bool) -> set[int]:
    """Ids of the indicators `user` manages (`as_manager`) or enters."""
    assigned = user.managed_indicators if as_manager else user.entered_indicators
    return set(assigned.values_list("id", flat=True))

"""Reads of the performance app, shaped for pages."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils import timezone

from performance import access
from performance.models import CollectionRound, StrategicPlan, Team


def teams_for_dashboard(*, user) -> QuerySet[Team]:
    return (
        access.teams_readable(user)
        .select_related("directorate", "head_of_service")
        .annotate(people=Count("memberships"))
        .order_by("directorate__name", "name")
    )


def open_rounds(*, today=None) -> list[CollectionRound]:
    today = today or timezone.localdate()
    return list(
        CollectionRound.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by(
            "closes_on"
        )
    )


def current_plan() -> StrategicPlan | None:
    return (
        StrategicPlan.objects.prefetch_related("priorities__outcomes")
        .order_by("-first_year")
        .first()
    )

"""The organisation: directorates, services with their Heads of Service, teams and members."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from performance.models.visibility import TeamQuerySet


class Directorate(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service under a Head of Service; it has one service plan per financial year."""

    name = models.CharField(max_length=120, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_services",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A service area scored in Reach the Summit and the unit of data permissions."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="teams")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams"
    )
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_teams",
    )
    active = models.BooleanField(default=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """Where a person works: the scope of their role (an enterer of team A sees only team A)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"

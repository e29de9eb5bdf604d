"""What sign-in keeps: the mappings of the provider's claim values to roles and teams, and the
provider's subject of each person who has signed in through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from performance.core.roles import Role
from performance.models import Team


class SignInMapping(models.Model):
    """One value of the roles claim (an Entra ID group's object id, an app role) → a role, and
    optionally a team the person is then a member of."""

    claim_value = models.CharField(
        "Claim value",
        max_length=200,
        help_text="Exactly as the provider sends it: an Entra ID group's object id, or an app "
        "role's value.",
    )
    role = models.CharField(max_length=40, choices=[(role.value, role.value) for role in Role])
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signin_mappings",
        help_text="Optional: people with this value are members of the team.",
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="What the value is, e.g. the group's name."
    )

    class Meta:
        ordering = ["claim_value", "role"]
        verbose_name = "sign-in mapping"
        constraints = [
            models.UniqueConstraint(
                fields=["claim_value", "role", "team"], name="one_mapping_per_value_role_team"
            )
        ]

    def __str__(self) -> str:
        where = f" in {self.team}" if self.team_id else ""
        return f"{self.claim_value} → {self.role}{where}"


class ProviderIdentity(models.Model):
    """The provider's `sub` for a person: how they are found at their next sign-in, even when
    their email address changes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"

"""API tokens and the answers kept for idempotent writes (SPEC §15).

A token belongs to a person and acts as that person: the same teams and roles, nothing more.
Only a SHA-256 digest of the secret is stored (the secret is 256 random bits, so a slow password
hash adds nothing but latency); the first characters are kept in clear so people can tell their
tokens apart. Every token expires; a revoked one is kept, for the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. Power BI.")
    prefix = models.CharField(max_length=16, help_text="The token's first characters, in clear.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret.")
    can_write = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        """Active, expired or revoked, as the page and the audit trail say it."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class ApiIdempotencyKey(models.Model):
    """The first answer to a write that carried an `Idempotency-Key`, replayed on a repeat."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_once")]

    def __str__(self) -> str:
        return f"{self.key} → {self.status_code}"

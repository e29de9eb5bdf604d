"""Generations: the version stamp of computed figures, for caching with correct invalidation.

Every change that can alter a computed figure (a value, a target, an indicator, a team) gives
its generation a new random token in the same transaction as the change. Cached figures are
keyed by the token they were computed under, so a cache entry can never outlive the data it came
from, in any process: a reader sees the new token exactly when it sees the new data.
"""

from __future__ import annotations

from django.db import models


class Generation(models.Model):
    name = models.CharField(primary_key=True, max_length=40)
    token = models.CharField(max_length=32, default="0")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} {self.token}"

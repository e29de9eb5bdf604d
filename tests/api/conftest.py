"""The API's tests share one demo council per module (seeded once, rolled back at the end)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from performance.api import services


@pytest.fixture(scope="module")
def council(django_db_setup, django_db_blocker):
    """The small demo council (logins performance, enterer, manager, head, member)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            from django.core.cache import cache

            cache.clear()


def token_for(username: str, *, write: bool = False, days: int = 30) -> str:
    user = get_user_model().objects.get(username=username)
    _, secret = services.create_token(
        user=user, name=f"{username} test", days=days, can_write=write, actor=user
    )
    return secret


class Api:
    """A client that sends a bearer token and reads JSON with exact decimals."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def headers(self, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        return headers

    def get(self, path: str, params: dict | None = None, **headers: str):
        return self.client.get(path, params or {}, headers=self.headers(**headers))

    def post(self, path: str, body, **headers: str):
        return self.client.post(
            path,
            data=body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
            headers=self.headers(**headers),
        )

    def walk(self, path: str, params: dict | None = None) -> list[dict]:
        """Every row of a list, following `next`."""
        response = self.get(path, params)
        assert response.status_code == 200, response.content
        rows = []
        while True:
            body = exact(response)
            rows.extend(body["results"])
            if body["next"] is None:
                return rows
            response = self.client.get(body["next"], headers=self.headers())
            assert response.status_code == 200, response.content


def exact(response) -> dict | list:
    return json.loads(response.content, parse_float=Decimal)

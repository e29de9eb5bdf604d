"""seed_demo makes a believable, deterministic council with one login per role."""

from __future__ import annotations

import contextlib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from performance.common import access
from performance.core.roles import Role
from performance.models import Outcome, Priority, Team, TeamMembership

pytestmark = pytest.mark.django_db


def _snapshot():
    users = list(
        get_user_model()
        .objects.order_by("username")
        .values_list("username", "first_name", "last_name")
    )
    memberships = list(
        TeamMembership.objects.order_by("user__username", "team__name").values_list(
            "user__username", "team__name"
        )
    )
    return users, memberships


def test_small_scale_has_ten_teams_a_plan_and_one_login_per_role(capsys):
    call_command("seed_demo", "--scale", "small")
    out = capsys.readouterr().out
    assert Team.objects.count() == 10
    assert Priority.objects.count() == 4
    assert Outcome.objects.count() >= 8
    User = get_user_model()
    for role in Role:
        user = User.objects.get(username=role.slug)
        assert user.check_password("summit-demo")
        assert access.primary_role(user) == role
        assert f"{role.slug}" in out
    assert "summit-demo" in out
    # The enterer and manager share a team, so the demo can show the activation flow.
    enterer_teams = set(
        User.objects.get(username="enterer").memberships.values_list("team", flat=True)
    )
    manager_teams = set(
        User.objects.get(username="manager").memberships.values_list("team", flat=True)
    )
    assert enterer_teams & manager_teams
    assert all(team.memberships.exists() for team in Team.objects.all())


class _Rollback(Exception):
    pass


def test_same_seed_gives_the_same_council():
    # Seed, read, and roll the first council back (works on SQLite and PostgreSQL alike).
    with contextlib.suppress(_Rollback), transaction.atomic():
        call_command("seed_demo", "--seed", "7")
        first = _snapshot()
        raise _Rollback
    assert not Team.objects.exists()
    call_command("seed_demo", "--seed", "7")
    assert _snapshot() == first


def test_refuses_a_database_that_already_holds_a_council():
    call_command("seed_demo")
    with pytest.raises(CommandError, match="only fills an empty database"):
        call_command("seed_demo")


def test_if_empty_does_nothing_on_a_seeded_database(capsys):
    call_command("seed_demo")
    count = get_user_model().objects.count()
    call_command("seed_demo", "--if-empty")
    assert get_user_model().objects.count() == count
    assert "nothing seeded" in capsys.readouterr().out


def test_unknown_scale_is_refused_by_name():
    with pytest.raises(CommandError, match="scale"):
        call_command("seed_demo", "--scale", "galactic")
    assert not Team.objects.exists()

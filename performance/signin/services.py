"""What a sign-in through the provider does to Summit's people (SPEC §16; issue 15).

At every sign-in the person's roles and team memberships follow the provider's claim, through
the mappings kept in Manage (`SignInMapping`):

- the roles named by any mapping are the provider's to give: a person holds exactly those of
  them that their claim values map to; roles no mapping names (given by hand in Manage) stay;
- likewise the teams named by any mapping: membership of exactly the mapped ones; memberships
  of teams no mapping names stay.

Every change is one audit event on the person. A person is created at their first sign-in only
when their claim maps to at least one role; an inactive person is refused before anything
changes; one left with no role at all is refused (after the change is recorded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db import transaction

from performance.common import access, audit
from performance.core.roles import Role
from performance.models import Team, TeamMembership
from performance.signin.models import ProviderIdentity, SignInMapping

Refusal = Literal["", "no_role", "inactive"]


@dataclass(frozen=True)
class Outcome:
    """Who signed in (None: nobody), or why not."""

    user: User | None
    refusal: Refusal = ""


def claim_values(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The values of the roles claim: a list of strings, or one string (as some providers send
    a single role)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def _username(claims: Mapping[str, Any]) -> str:
    chosen = claims.get("preferred_username") or claims.get("email") or claims["sub"]
    base = str(chosen).strip()[:140]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _find(claims: Mapping[str, Any], issuer: str) -> tuple[User | None, bool]:
    """The person the claims are about, and whether they were linked by email just now."""
    identity = (
        ProviderIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=str(claims["sub"]))
        .first()
    )
    if identity is not None:
        return identity.user, False
    email = str(claims.get("email") or "").strip()
    if not email:
        return None, False
    # An existing (local) account with the same address, not yet linked to another subject.
    matches = list(User.objects.filter(email__iexact=email, provider_identity__isnull=True)[:2])
    if len(matches) != 1:
        return None, False
    return matches[0], True


def _create(claims: Mapping[str, Any], *, issuer: str, reason: str) -> User:
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("family_name") or "").strip()
    if not given and not family and claims.get("name"):
        given, _, family = str(claims["name"]).strip().partition(" ")
    user = User(
        username=_username(claims),
        email=str(claims.get("email") or "").strip(),
        first_name=given[:150],
        last_name=family[:150],
    )
    user.set_unusable_password()
    user.save()
    ProviderIdentity.objects.create(user=user, issuer=issuer, subject=str(claims["sub"]))
    audit.created(
        actor=None,
        instance=user,
        fields=["username", "email", "first_name", "last_name"],
        reason=reason,
    )
    return user


def _team_names(ids: Iterable[int]) -> list[str]:
    return sorted(Team.objects.filter(pk__in=list(ids)).values_list("name", flat=True))


def apply_mappings(user: User, values: Iterable[str], *, reason: str) -> bool:
    """Set the person's mapped roles and teams to those `values` map to; audit any change.

    Returns whether anything changed.
    """
    mappings = list(SignInMapping.objects.all())
    wanted = {m for m in mappings if m.claim_value in set(values)}
    managed_roles = {m.role for m in mappings}
    managed_teams = {m.team_id for m in mappings if m.team_id is not None}

    held_roles = {name for name in user.groups.values_list("name", flat=True) if name in set(Role)}
    roles = (held_roles - managed_roles) | {m.role for m in wanted}
    held_teams = set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
    teams = (held_teams - managed_teams) | {m.team_id for m in wanted if m.team_id is not None}

    changes: dict[str, list[Any]] = {}
    if roles != held_roles:
        others = user.groups.exclude(name__in=[role.value for role in Role])
        user.groups.set([*others, *(access.group_for(Role(name)) for name in sorted(roles))])
        user._summit_roles = None  # type: ignore[attr-defined]
        changes["roles"] = [sorted(held_roles), sorted(roles)]
    if teams != held_teams:
        TeamMembership.objects.filter(user=user, team_id__in=held_teams - teams).delete()
        TeamMembership.objects.bulk_create(
            [TeamMembership(user=user, team_id=team_id) for team_id in teams - held_teams]
        )
        changes["teams"] = [_team_names(held_teams), _team_names(teams)]
    if changes:
        audit.record(actor=None, instance=user, action="update", changes=changes, reason=reason)
    return bool(changes)


@transaction.atomic
def sign_in(claims: Mapping[str, Any], *, issuer: str, provider: str, claim: str) -> Outcome:
    """The person the provider vouched for (checked ID token claims, with userinfo), brought up
    to date with the mappings; or nobody, and why."""
    values = claim_values(claims, claim)
    reason = f"Signed in through {provider}: roles and teams from the {claim!r} claim"
    user, by_email = _find(claims, issuer)
    if user is None:
        if not SignInMapping.objects.filter(claim_value__in=values).exists():
            return Outcome(None, "no_role")
        user = _create(claims, issuer=issuer, reason=reason)
    if not user.is_active:
        return Outcome(None, "inactive")
    if by_email:
        ProviderIdentity.objects.create(user=user, issuer=issuer, subject=str(claims["sub"]))
        audit.record(
            actor=None,
            instance=user,
            action="update",
            changes={"provider_subject": [None, str(claims["sub"])]},
            reason=f"First sign-in through {provider}: linked by email address",
        )
    apply_mappings(user, values, reason=reason)
    if not user.is_superuser and not access.roles_of(user):
        return Outcome(None, "no_role")
    return Outcome(user)

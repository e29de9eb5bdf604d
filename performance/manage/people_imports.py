"""import_people (SPEC §11, §12): people, their teams and roles from a directory export.

`read_people(path)` reads and checks the whole file (`performance.common.tables`) and returns a
`PeoplePlan`: every row parsed, and the active people the file leaves out. `apply_people(plan)`
writes it in one transaction through the same audited services as Manage › People
(`services.set_roles`, `add_member`, `remove_member`, `set_active`), so the trail of an import
reads like an officer's edits, with the file named as the reason.

Rules (SPEC §12 and docs/decisions.md, "Signing in (issue 15)"):
- columns `username, name, email, team, roles`, any order; nothing else (no passwords).
- `username` is required, matched to an existing account ignoring case; `name` is required and
  split at its last space into first and last name; `email` may be empty.
- `team`: team names or slugs separated by `;`, may be empty; a team must already exist. The
  cell sets the person's teams exactly: teams not listed are left.
- `roles`: at least one of performance, enterer, manager, head, member (or the role's full
  name), separated by `;`; they replace the person's Summit roles.
- A new person gets an unusable password: they sign in with the council's identity provider or
  set a password through "Forgotten your password?". An existing deactivated person stays
  deactivated (reactivate on Manage › People): a file never reopens an account by itself.
- All or nothing: any error anywhere rejects the file, every error named by row and column.
- Missing people (active, not in the file) are only deactivated when asked (`deactivate=True`),
  never the person importing, a superuser (the break-glass administrator) or, if it would leave
  no active performance officer, any officer: that refuses the whole import instead.
- Cells are read as text: a cell like `=HYPERLINK(…)` is a name, never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth import models as auth
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from performance.common import audit
from performance.common.tables import CellErrors, Row, read_table

# Re-exported: what callers catch (`people_imports.ImportRejected`).
from performance.common.tables import ImportRejected as ImportRejected
from performance.core.roles import Role
from performance.manage import services
from performance.models import Team, TeamMembership

PEOPLE_COLUMNS = ("username", "name", "email", "team", "roles")
ROLE_SLUGS = tuple(role.slug for role in Role)


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One checked row of the file."""

    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    team_ids: tuple[int, ...]
    roles: tuple[Role, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "team_ids": list(self.team_ids),
            "roles": [role.value for role in self.roles],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonRow:
        return cls(
            row=int(data["row"]),
            username=str(data["username"]),
            first_name=str(data["first_name"]),
            last_name=str(data["last_name"]),
            email=str(data["email"]),
            team_ids=tuple(int(pk) for pk in data["team_ids"]),
            roles=tuple(Role(name) for name in data["roles"]),
        )


@dataclass(frozen=True, slots=True)
class Missing:
    """An active person the file leaves out."""

    pk: int
    username: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.username})" if self.name else self.username


@dataclass(frozen=True, slots=True)
class PeoplePlan:
    """A checked file: its rows and the active people it leaves out (and who of them is kept)."""

    file_name: str
    rows: tuple[PersonRow, ...]
    missing: tuple[Missing, ...]  # would be deactivated
    kept: tuple[Missing, ...] = ()  # missing but never deactivated (importer, superusers)

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "rows": [row.to_json() for row in self.rows],
            "missing": [m.pk for m in self.missing],
        }


@dataclass(slots=True)
class PeopleImport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    still_inactive: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        text = (
            f"{self.people} people: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.deactivated:
            text += f"; {len(self.deactivated)} deactivated"
        return text + "."


def _role(text: str) -> Role | None:
    wanted = text.strip().casefold()
    for role in Role:
        if wanted in (role.slug, role.value.casefold()):
            return role
    return None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _name(full: str) -> tuple[str, str]:
    """'Pat Smith' → ('Pat', 'Smith'); 'Mary Ann Smith' → ('Mary Ann', 'Smith'); 'Cher' → ('Cher', '')."""
    first, _, last = " ".join(full.split()).rpartition(" ")
    return (first, last) if first else (last, "")


def _parse_row(
    errors: CellErrors, row: Row, teams_by_key: dict[str, Team], first_row_of: dict[str, int]
) -> PersonRow | None:
    before = len(errors.messages)
    username = row.get("username")
    if not username:
        errors.add(row, "username", "a value is required.")
    elif len(username) > 150:
        errors.add(row, "username", f"{len(username)} characters; at most 150 are allowed.")
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors.add(
                row,
                "username",
                f"{username!r} may contain only letters, digits and @ . + - _ (no spaces).",
            )
        key = username.casefold()
        if key in first_row_of:
            errors.add(row, "username", f"{username!r} is already in row {first_row_of[key]}.")
        else:
            first_row_of[key] = row.number
    full_name = " ".join(row.get("name").split())
    first_name, last_name = _name(full_name)
    if not full_name:
        errors.add(row, "name", "a value is required.")
    elif len(first_name) > 150 or len(last_name) > 150:
        errors.add(row, "name", "too long: at most 150 characters before and after the last space.")
    email = row.get("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add(row, "email", f"{email!r} is not an email address.")
        if len(email) > 254:
            errors.add(row, "email", f"{len(email)} characters; at most 254 are allowed.")
    team_ids: list[int] = []
    for written in _split(row.get("team")):
        team = teams_by_key.get(written.casefold())
        if team is None:
            errors.add(
                row,
                "team",
                f"no team is called {written!r} (add it in Manage › Teams first, or use its "
                "name or short name as Summit has it).",
            )
        elif team.pk not in team_ids:
            team_ids.append(team.pk)
    roles: list[Role] = []
    written_roles = _split(row.get("roles"))
    if not written_roles:
        errors.add(row, "roles", f"a value is required (one or more of {', '.join(ROLE_SLUGS)}).")
    for written in written_roles:
        role = _role(written)
        if role is None:
            errors.add(row, "roles", f"unknown role {written!r} (one of {', '.join(ROLE_SLUGS)}).")
        elif role not in roles:
            roles.append(role)
    if len(errors.messages) > before:
        return None
    return PersonRow(
        row=row.number,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        team_ids=tuple(sorted(team_ids)),
        roles=tuple(sorted(roles, key=lambda r: r.value)),
    )


def _teams_by_key() -> dict[str, Team]:
    found: dict[str, Team] = {}
    for team in Team.objects.all():
        found[team.name.casefold()] = team
        found.setdefault(team.slug.casefold(), team)
    return found


def read_people(*, path: str | Path, actor: auth.User | None = None) -> PeoplePlan:
    """Read and check `path`; raise `ImportRejected` naming every bad row and column."""
    table = read_table(path, required=PEOPLE_COLUMNS)
    errors = CellErrors(table)
    teams = _teams_by_key()
    first_row_of: dict[str, int] = {}
    rows = [_parse_row(errors, row, teams, first_row_of) for row in table.rows]
    errors.raise_if_any()
    checked = tuple(row for row in rows if row is not None)
    missing, kept = _missing(checked, actor=actor)
    return PeoplePlan(file_name=table.name, rows=checked, missing=missing, kept=kept)


def _missing(
    rows: Sequence[PersonRow], *, actor: auth.User | None
) -> tuple[tuple[Missing, ...], tuple[Missing, ...]]:
    listed = {row.username.casefold() for row in rows}
    missing: list[Missing] = []
    kept: list[Missing] = []
    people = get_user_model().objects.filter(is_active=True).order_by("username")
    for user in people:
        if user.username.casefold() in listed:
            continue
        item = Missing(pk=user.pk, username=user.username, name=user.get_full_name())
        protected = user.is_superuser or (actor is not None and user.pk == actor.pk)
        (kept if protected else missing).append(item)
    return tuple(missing), tuple(kept)


def _apply_row(actor: auth.User | None, row: PersonRow, reason: str) -> tuple[str, auth.User]:
    """Create or update one person; 'created', 'updated' or 'unchanged'."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=row.username).order_by("pk").first()
    outcome = "unchanged"
    if user is None:
        user = User(
            username=row.username,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            is_active=True,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit.created(
            actor=actor,
            instance=user,
            fields=["username", "first_name", "last_name", "email", "is_active"],
            reason=reason,
        )
        outcome = "created"
    elif (
        audit.update(
            actor=actor,
            instance=user,
            reason=reason,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
        )
        is not None
    ):
        outcome = "updated"
    if services.set_roles(actor=actor, user=user, roles=row.roles) is not None:
        outcome = "updated" if outcome == "unchanged" else outcome
    memberships = {m.team_id: m for m in TeamMembership.objects.filter(user=user)}
    wanted = set(row.team_ids)
    for team_id, membership in sorted(memberships.items()):
        if team_id not in wanted:
            services.remove_member(actor=actor, membership=membership)
            outcome = "updated" if outcome == "unchanged" else outcome
    for team in Team.objects.filter(pk__in=wanted - set(memberships)).order_by("name"):
        services.add_member(actor=actor, team=team, user=user)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome, user


@transaction.atomic
def apply_people(
    plan: PeoplePlan, *, actor: auth.User | None = None, deactivate: bool = False
) -> PeopleImport:
    """Write `plan` (and, with `deactivate`, deactivate its missing people); all or nothing.

    Raises `ImportRejected` when a team of the plan has gone since it was checked, when the
    people missing now differ from the plan's (someone changed accounts meanwhile), or when
    deactivating would leave no active performance officer. Nothing is written then.
    """
    reason = f"people import {plan.file_name}"
    result = PeopleImport()
    known_teams = set(Team.objects.values_list("pk", flat=True))
    gone = sorted({pk for row in plan.rows for pk in row.team_ids} - known_teams)
    if gone:
        raise ImportRejected(["A team in the file was deleted meanwhile: upload the file again."])
    for row in plan.rows:
        outcome, user = _apply_row(actor, row, reason)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if not user.is_active:
            result.still_inactive.append(user.username)
    if deactivate and plan.missing:
        now_missing, _kept = _missing(plan.rows, actor=actor)
        if {m.pk for m in now_missing} != {m.pk for m in plan.missing}:
            raise ImportRejected(
                [
                    "The people missing from the file changed since the list was shown: "
                    "upload the file again to see the new list. Nothing was changed."
                ]
            )
        users = get_user_model().objects.filter(pk__in=[m.pk for m in plan.missing])
        for user in users.order_by("username"):
            try:
                services.set_active(actor=actor, user=user, active=False, reason=reason)
            except services.EditError as error:
                raise ImportRejected([f"{error} Nothing was changed."]) from None
            result.deactivated.append(user.username)
    return result


def import_people(
    *, path: str | Path, actor: auth.User | None = None, deactivate: bool = False
) -> tuple[PeoplePlan, PeopleImport]:
    """Read, check and write `path` in one step (the command's path)."""
    plan = read_people(path=path, actor=actor)
    return plan, apply_people(plan, actor=actor, deactivate=deactivate)

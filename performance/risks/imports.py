"""import_risks (SPEC §11, §12): risks from a .csv or .xlsx file, all or nothing, audited.

Columns: `reference, title, register, category, owner, cause, event, consequence,
inherent_likelihood, inherent_impact, current_likelihood, current_impact, target_likelihood,
target_impact`, optional `linked_indicators` (codes separated by `;`) and `review` (the next
review date, YYYY-MM-DD), in any order (`performance.common.tables`).

Rules (docs/decisions.md, "Risks (issue 17)"):
- `reference` is the key: a new reference creates a risk, a known one updates it (every column
  of the file is set; what the file does not carry — controls, actions, links to the plan, the
  confidential flag, the team — is left as it is). A reference may appear once per file.
- `register`: corporate, directorate, service, project or partnership (any case).
- `category`: a category Summit has (Manage › Risk categories), by name ignoring case; an
  unknown one is an error naming the categories there are, so a typo never makes a new one.
- `owner`: an active person's username or email, ignoring case.
- likelihood and impact: whole numbers 1–5; a target above the current or the current above the
  inherent score is accepted (it happens, and it is the owner's judgement), never refused.
- `linked_indicators`: indicator codes Summit has; the cell sets the links exactly (an empty cell
  removes them). `review` empty: the close of the next quarterly collection window.
- A risk's current scores imported over different ones are recorded as a change of current score
  (the previous score kept for the direction), as a review would be, but they are not a review.
- Every problem of the file is named by row and column; nothing is written unless all rows pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from performance.common import audit
from performance.common.tables import CellErrors, Row, date_cell, read_table, text_cell

# Re-exported: what callers catch (`imports.ImportRejected`).
from performance.common.tables import ImportRejected as ImportRejected
from performance.core import risks as rules
from performance.models import Indicator, Risk, RiskCategory

REQUIRED = (
    "reference",
    "title",
    "register",
    "category",
    "owner",
    "cause",
    "event",
    "consequence",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
)
OPTIONAL = ("linked_indicators", "review")
COLUMNS = (*REQUIRED, *OPTIONAL)
POINTS = (
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
)
TEXTS = {"cause": 2000, "event": 2000, "consequence": 2000}
REGISTERS = tuple(register.value for register in rules.Register)


@dataclass(frozen=True, slots=True)
class RiskRowIn:
    """One checked row of the file."""

    row: int
    reference: str
    title: str
    register: str
    category_id: int
    owner_id: int
    cause: str
    event: str
    consequence: str
    points: dict[str, int]
    indicator_ids: tuple[int, ...] | None  # None: the file has no linked_indicators column
    review: dt.date | None


@dataclass
class RiskImport:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} risks created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


def _point(errors: CellErrors, row: Row, column: str) -> int:
    text = row.get(column)
    if not text:
        errors.add(row, column, "a value is required (a whole number from 1 to 5).")
        return 0
    try:
        number = int(text)
    except ValueError:
        number = 0
        # Excel writes a whole number cell as "3" but a typed 3.0 stays "3.0": accept it.
        try:
            as_float = float(text)
        except ValueError:
            as_float = 0.5
        if as_float.is_integer():
            number = int(as_float)
    if not rules.MIN_POINT <= number <= rules.MAX_POINT:
        errors.add(row, column, f"{text!r} is not a whole number from 1 to 5.")
        return 0
    return number


def _owners() -> dict[str, int]:
    found: dict[str, int] = {}
    for pk, username, email in (
        get_user_model().objects.filter(is_active=True).values_list("pk", "username", "email")
    ):
        found[username.casefold()] = pk
        if email:
            found.setdefault(email.casefold(), pk)
    return found


def _parse(
    errors: CellErrors,
    row: Row,
    *,
    categories: dict[str, int],
    category_names: list[str],
    owners: dict[str, int],
    indicators: dict[str, int],
    first_row_of: dict[str, int],
    has_links: bool,
) -> RiskRowIn | None:
    before = len(errors.messages)
    reference = text_cell(errors, row, "reference", max_length=20, required=True)
    if reference:
        key = reference.casefold()
        if key in first_row_of:
            errors.add(row, "reference", f"{reference!r} is already in row {first_row_of[key]}.")
        else:
            first_row_of[key] = row.number
    title = text_cell(errors, row, "title", max_length=250, required=True)
    register = row.get("register").casefold()
    if register not in REGISTERS:
        shown = row.get("register")
        errors.add(
            row,
            "register",
            f"{shown!r} is not a register (one of {', '.join(REGISTERS)})."
            if shown
            else f"a value is required (one of {', '.join(REGISTERS)}).",
        )
    category_id = categories.get(row.get("category").casefold(), 0)
    if not category_id:
        names = ", ".join(category_names)
        written = row.get("category")
        errors.add(
            row,
            "category",
            (f"no risk category is called {written!r}" if written else "a value is required")
            + f" (the categories are {names}; add one in Manage › Risk categories first).",
        )
    owner_written = row.get("owner")
    owner_id = owners.get(owner_written.casefold(), 0)
    if not owner_id:
        errors.add(
            row,
            "owner",
            f"no active person has the username or email {owner_written!r}."
            if owner_written
            else "a value is required (a username or email).",
        )
    texts = {
        column: text_cell(errors, row, column, max_length=length, required=False)
        for column, length in TEXTS.items()
    }
    points = {column: _point(errors, row, column) for column in POINTS}
    indicator_ids: tuple[int, ...] | None = None
    if has_links:
        ids: list[int] = []
        for code in [part.strip() for part in row.get("linked_indicators").split(";")]:
            if not code:
                continue
            found = indicators.get(code.casefold())
            if found is None:
                errors.add(row, "linked_indicators", f"no indicator has the code {code!r}.")
            elif found not in ids:
                ids.append(found)
        indicator_ids = tuple(ids)
    review = date_cell(errors, row, "review")
    if len(errors.messages) > before:
        return None
    return RiskRowIn(
        row=row.number,
        reference=reference,
        title=title,
        register=register,
        category_id=category_id,
        owner_id=owner_id,
        points=points,
        indicator_ids=indicator_ids,
        review=review,
        **texts,
    )


def read_risks(path: str | Path) -> list[RiskRowIn]:
    """Read and check `path`; `ImportRejected` names every bad row and column."""
    table = read_table(path, required=REQUIRED, optional=OPTIONAL)
    errors = CellErrors(table)
    named = list(RiskCategory.objects.order_by("name").values_list("pk", "name"))
    categories = {name.casefold(): pk for pk, name in named}
    indicators = {code.casefold(): pk for pk, code in Indicator.objects.values_list("pk", "code")}
    owners = _owners()
    first_row_of: dict[str, int] = {}
    has_links = "linked_indicators" in table.headers
    rows = [
        _parse(
            errors,
            row,
            categories=categories,
            category_names=[name for _, name in named],
            owners=owners,
            indicators=indicators,
            first_row_of=first_row_of,
            has_links=has_links,
        )
        for row in table.rows
    ]
    errors.raise_if_any()
    return [row for row in rows if row is not None]


@transaction.atomic
def apply_risks(rows: list[RiskRowIn], *, actor=None, file_name: str = "") -> RiskImport:
    """Write checked rows in one transaction, each change audited with the file as reason."""
    result = RiskImport()
    reason = f"import_risks {file_name}".strip()
    today = timezone.localdate()
    default_due = rules.next_review_due(today, settings.COLLECTION_WINDOW_DAYS)
    # References are matched ignoring case, as a spreadsheet's user would expect.
    existing = {
        risk.reference.casefold(): risk
        for risk in Risk.objects.annotate(key=Lower("reference"))
        .filter(key__in=[row.reference.lower() for row in rows])
        .prefetch_related("indicators")
    }
    for row in rows:
        values = {
            "title": row.title,
            "register": row.register,
            "category_id": row.category_id,
            "owner_id": row.owner_id,
            "cause": row.cause,
            "event": row.event,
            "consequence": row.consequence,
            **row.points,
        }
        risk = existing.get(row.reference.casefold())
        if risk is None:
            risk = Risk.objects.create(
                reference=row.reference, review_due=row.review or default_due, **values
            )
            audit.created(
                actor=actor,
                instance=risk,
                fields=["reference", *[name.removesuffix("_id") for name in values], "review_due"],
                reason=reason,
            )
            if row.indicator_ids:
                risk.indicators.set(row.indicator_ids)
            result.created.append(risk.reference)
            continue
        changed = False
        if row.review is not None:
            values["review_due"] = row.review
        new_score = rules.score(row.points["current_likelihood"], row.points["current_impact"])
        if new_score != risk.current_score:
            values["previous_score"] = risk.current_score
        if audit.update(actor=actor, instance=risk, reason=reason, **values) is not None:
            changed = True
        if row.indicator_ids is not None:
            before = sorted(i.pk for i in risk.indicators.all())
            if before != sorted(row.indicator_ids):
                risk.indicators.set(row.indicator_ids)
                audit.record(
                    actor=actor,
                    instance=risk,
                    action="update",
                    changes={"indicators": [before, sorted(row.indicator_ids)]},
                    reason=reason,
                )
                changed = True
        (result.updated if changed else result.unchanged).append(risk.reference)
    return result


def import_risks(*, path: str | Path, actor=None) -> RiskImport:
    """Read, check and write `path` (all or nothing)."""
    rows = read_risks(path)
    return apply_risks(rows, actor=actor, file_name=Path(path).name)

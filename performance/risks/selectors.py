"""Reads of the risk registers: rows shaped once for the pages, the command, the API and reports.

`register_rows(user=...)` is the one read of a register: one query for the risks (with the alert
and escalation flags as subqueries), one for their linked indicators, one for the matrix, so a
page's query count is fixed whatever the number of risks. `user=None` reads as the system (the
`risk_register` command); a person reads what `Risk.objects.readable_by` lets them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from performance.core import risks as rules
from performance.models import Risk, RiskAlert, RiskEscalation, RiskSettings
from performance.models.visibility import User

YES_NO = {True: "yes", False: "no"}

# The `risk_register` columns (SPEC §12), in order.
REGISTER_COLUMNS = (
    "reference",
    "title",
    "register",
    "category",
    "owner",
    "inherent_score",
    "current_score",
    "target_score",
    "rating",
    "appetite",
    "above_appetite",
    "direction",
    "review_due",
    "linked_indicators",
    "kri_alert",
)


@dataclass(frozen=True, slots=True)
class Filters:
    """What a register page narrows to; empty fields narrow nothing."""

    register: str = ""
    category: int | None = None
    rating: str = ""
    owner: int | None = None
    above_appetite: bool = False
    alert: bool = False
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One open risk as every list shows it (scores worked out by `core.risks`)."""

    id: int
    reference: str
    title: str
    register: str
    register_label: str
    category_id: int
    category: str
    appetite: int | None
    owner_id: int
    owner_username: str
    owner_name: str
    team_id: int | None
    team_name: str
    inherent: tuple[int, int]  # (likelihood, impact)
    current: tuple[int, int]
    target: tuple[int, int]
    previous_score: int | None
    review_due: dt.date | None
    confidential: bool
    kri_alert: bool
    escalation_pending: bool
    indicator_codes: tuple[str, ...]
    bands: rules.Bands
    today: dt.date

    @property
    def pk(self) -> int:
        return self.id

    @property
    def inherent_score(self) -> int:
        return rules.score(*self.inherent)

    @property
    def current_score(self) -> int:
        return rules.score(*self.current)

    @property
    def target_score(self) -> int:
        return rules.score(*self.target)

    @property
    def rating(self) -> rules.Rating:
        return rules.rating_of(self.current_score, self.bands)

    @property
    def inherent_rating(self) -> rules.Rating:
        return rules.rating_of(self.inherent_score, self.bands)

    @property
    def target_rating(self) -> rules.Rating:
        return rules.rating_of(self.target_score, self.bands)

    @property
    def above_appetite(self) -> bool:
        return rules.above_appetite(self.current_score, self.appetite)

    @property
    def direction(self) -> rules.Direction:
        return rules.direction(self.current_score, self.previous_score)

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < self.today

    def as_record(self) -> dict[str, str]:
        """The `risk_register` row (SPEC §12): text cells, scores as whole numbers."""
        return {
            "reference": self.reference,
            "title": self.title,
            "register": self.register,
            "category": self.category,
            "owner": self.owner_username,
            "inherent_score": str(self.inherent_score),
            "current_score": str(self.current_score),
            "target_score": str(self.target_score),
            "rating": self.rating.value,
            "appetite": "" if self.appetite is None else str(self.appetite),
            "above_appetite": YES_NO[self.above_appetite],
            "direction": self.direction.value,
            "review_due": self.review_due.isoformat() if self.review_due else "",
            "linked_indicators": ";".join(self.indicator_codes),
            "kri_alert": YES_NO[self.kri_alert],
        }


def matrix() -> rules.Matrix:
    """The council's matrix (labels and bands): one query."""
    return RiskSettings.load().matrix


def visible_risks(user: User | None) -> QuerySet[Risk]:
    """Risks a person reads (every risk for the system)."""
    return Risk.objects.all() if user is None else Risk.objects.readable_by(user)


def _narrowed(queryset: QuerySet[Risk], filters: Filters) -> QuerySet[Risk]:
    if filters.register:
        queryset = queryset.filter(register=filters.register)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.alert:
        queryset = queryset.filter(has_alert=True)  # type: ignore[misc]  # annotated by the caller
    return queryset


_FIELDS = (
    "pk",
    "reference",
    "title",
    "register",
    "category_id",
    "category__name",
    "category__appetite",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "team_id",
    "team__name",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "previous_score",
    "review_due",
    "confidential",
    "has_alert",
    "has_escalation",
)


def register_rows(
    *,
    user: User | None,
    filters: Filters | None = None,
    register: str = "",
    include_closed: bool = False,
    today: dt.date | None = None,
    council_matrix: rules.Matrix | None = None,
) -> list[RiskRow]:
    """Open risks a person reads, narrowed by `filters` (or just `register`), by reference.

    Three queries whatever the number of risks (two when the caller passes the matrix it read):
    the risks as plain values (no model instances: 3,000 risks read in a few tens of
    milliseconds), and their linked indicators' codes. Rating, above-appetite and overdue
    filters are applied to the worked-out rows (they depend on the configurable bands)."""
    filters = filters or Filters(register=register)
    today = today or timezone.localdate()
    bands = (council_matrix or matrix()).bands
    queryset = visible_risks(user)
    if not include_closed:
        queryset = queryset.filter(status=Risk.Status.OPEN)
    queryset = queryset.annotate(
        has_alert=Exists(RiskAlert.objects.filter(risk=OuterRef("pk"), resolved_at__isnull=True)),
        has_escalation=Exists(
            RiskEscalation.objects.filter(risk=OuterRef("pk"), status=RiskEscalation.Status.PENDING)
        ),
    )
    queryset = _narrowed(queryset, filters).order_by("reference")
    records = list(queryset.values_list(*_FIELDS))
    codes: dict[int, list[str]] = {}
    if records:
        for risk_id, code in (
            Risk.indicators.through.objects.filter(risk_id__in=queryset.values("pk"))
            .order_by("indicator__code")
            .values_list("risk_id", "indicator__code")
        ):
            codes.setdefault(risk_id, []).append(code)
    labels = dict(Risk.Register.choices)
    rows = []
    for (
        pk,
        reference,
        title,
        register_code,
        category_id,
        category,
        appetite,
        owner_id,
        username,
        first_name,
        last_name,
        team_id,
        team_name,
        inherent_l,
        inherent_i,
        current_l,
        current_i,
        target_l,
        target_i,
        previous_score,
        review_due,
        confidential,
        has_alert,
        has_escalation,
    ) in records:
        row = RiskRow(
            id=pk,
            reference=reference,
            title=title,
            register=register_code,
            register_label=labels.get(register_code, register_code),
            category_id=category_id,
            category=category,
            appetite=appetite,
            owner_id=owner_id,
            owner_username=username,
            # As `User.get_full_name`, falling back to the username (`display.person_name`).
            owner_name=f"{first_name} {last_name}".strip() or username,
            team_id=team_id,
            team_name=team_name or "",
            inherent=(inherent_l, inherent_i),
            current=(current_l, current_i),
            target=(target_l, target_i),
            previous_score=previous_score,
            review_due=review_due,
            confidential=confidential,
            kri_alert=has_alert,
            escalation_pending=has_escalation,
            indicator_codes=tuple(codes.get(pk, ())),
            bands=bands,
            today=today,
        )
        if _kept(row, filters):
            rows.append(row)
    return rows


def _kept(row: RiskRow, filters: Filters) -> bool:
    if filters.rating and row.rating.value != filters.rating:
        return False
    if filters.above_appetite and not row.above_appetite:
        return False
    return not (filters.overdue and not row.review_overdue)


@dataclass(frozen=True, slots=True)
class HeatMap:
    """The 5 × 5 grid of one set of scores (current or inherent) with the rows it counts."""

    which: str  # "current" or "inherent"
    grid: list[list[rules.Cell]]
    matrix: rules.Matrix
    total: int
    by_cell: dict[tuple[int, int], list[RiskRow]] = field(default_factory=dict)


def heat_map(rows: Sequence[RiskRow], *, matrix: rules.Matrix, which: str = "current") -> HeatMap:
    """The heat map of `rows` by their current (or inherent) likelihood and impact. No query."""
    if which not in ("current", "inherent"):
        raise ValueError(f"a heat map shows current or inherent scores, not {which!r}")
    by_cell: dict[tuple[int, int], list[RiskRow]] = {}
    for row in rows:
        by_cell.setdefault(getattr(row, which), []).append(row)
    grid = rules.heat_map([getattr(row, which) for row in rows], matrix.bands)
    return HeatMap(which=which, grid=grid, matrix=matrix, total=len(rows), by_cell=by_cell)

"""The data collection cycle (SPEC §5): what is due, the entry rules and the value workflow.

Reads (due items, the activation queue) and writes (save, submit, activate, return, correct,
No data) of one area, kept together because the rules are shared: the form, the htmx preview
and the Excel upload all call `clean_entry` and `judge`, so a row is accepted or refused for the
same reasons wherever it comes from.

Concurrency policy: every write locks the value row (`select_for_update`) and compares the
`version` the person saw with the stored one. A mismatch is refused with `StaleValue`, which
names who changed it and when, so two managers activating, or an enterer editing while a
manager returns, never silently overwrite each other. A value that does not exist yet is
created under the (indicator, period) unique constraint; losing that race is also `StaleValue`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from performance.common import access, audit, hooks
from performance.core import calculations, periods, spc, status
from performance.core.calculations import Aggregation, Level, Observation
from performance.core.periods import Frequency, Period
from performance.indicators import selectors
from performance.models import CollectionRound, Indicator, Target, Value

EDITABLE = (Value.Status.DRAFT, Value.Status.SUBMITTED, Value.Status.RETURNED, Value.Status.NO_DATA)
NOT_SUBMITTED = (Value.Status.DRAFT, Value.Status.RETURNED)
MAX_COMMENT = 5000
# Model fields hold 18 digits with 6 decimal places.
MAX_ABS = Decimal(10) ** 12
AUDITED = ["value", "numerator", "denominator", "comment", "status", "return_reason"]


# --- errors -----------------------------------------------------------------------------------


class CollectionError(Exception):
    """A refused action, with a message to show the person as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(CollectionError):
    """The person's role or the value's state does not allow the action (HTTP 403 or 409)."""


class StaleValue(CollectionError):
    """Someone changed the value since the person loaded it."""

    @classmethod
    def for_value(cls, value: Value) -> StaleValue:
        who = "someone else"
        if value.changed_by is not None:
            who = value.changed_by.get_full_name() or value.changed_by.get_username()
        when = ""
        if value.changed_at:
            when = f" at {timezone.localtime(value.changed_at):%H:%M on %d %B %Y}"
        return cls(
            f"{value.indicator.code} {value.period} was changed by {who}{when} "
            f"(it is now {value.get_status_display().lower()}). Reload the page to see the change."
        )


class EntryInvalid(CollectionError):
    """Input that breaks a rule; `errors` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# --- rounds and due items ---------------------------------------------------------------------


def round_periods(round_: CollectionRound) -> list[tuple[Frequency, str]]:
    """The (frequency, period) pairs a round asks for.

    A quarterly round asks quarterly indicators for its quarter, and on 1 April also annual
    indicators for the financial year just ended; a monthly round asks monthly indicators.
    Strategic-action rounds ask for action updates, not indicator values.
    """
    if round_.kind == CollectionRound.Kind.MONTHLY:
        return [(Frequency.MONTHLY, round_.period)]
    if round_.kind == CollectionRound.Kind.QUARTERLY:
        quarter = periods.parse(round_.period)
        pairs = [(Frequency.QUARTERLY, round_.period)]
        if quarter.quarter_number == 4:
            pairs.append((Frequency.ANNUAL, str(quarter.financial_year)))
        return pairs
    return []


def round_state(round_: CollectionRound, *, now: dt.datetime | None = None) -> dict:
    """Upcoming, open or closed, and the time left: what the countdown shows."""
    now = timezone.localtime(now or timezone.now())
    zone = timezone.get_current_timezone()
    opens = dt.datetime.combine(round_.opens_on, dt.time.min, tzinfo=zone)
    closes = dt.datetime.combine(round_.closes_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    if now < opens:
        state, left = "upcoming", opens - now
    elif now < closes:
        state, left = "open", closes - now
    else:
        state, left = "closed", dt.timedelta(0)
    days, seconds = left.days, left.seconds
    hours = seconds // 3600
    if state == "closed":
        countdown = f"Closed at the end of {round_.closes_on:%A %-d %B %Y}"
    elif state == "upcoming":
        countdown = f"Opens on {round_.opens_on:%A %-d %B %Y}"
    else:
        parts = []
        if days:
            parts.append(f"{days} day{'s' if days != 1 else ''}")
        if hours or not days:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        countdown = (
            f"{' and '.join(parts)} left: closes at the end of {round_.closes_on:%A %-d %B %Y}"
        )
    return {"state": state, "label": state.capitalize(), "countdown": countdown, "left": left}


def open_rounds(*, today: dt.date | None = None) -> list[CollectionRound]:
    today = today or timezone.localdate()
    return list(
        CollectionRound.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by(
            "closes_on", "kind"
        )
    )


@dataclass
class DueItem:
    """One indicator asked for in one round, with what the page and the emails show about it."""

    round: CollectionRound
    indicator: Indicator
    period: str
    value: Value | None = None
    target: Decimal | None = None
    previous: list[tuple[str, Decimal]] = field(default_factory=list)  # newest first

    @property
    def key(self) -> str:
        return f"{self.round.pk}-{self.indicator.pk}"

    @property
    def status(self) -> str:
        return self.value.status if self.value else "not_started"

    @property
    def status_label(self) -> str:
        return self.value.get_status_display() if self.value else "Not started"

    @property
    def submitted(self) -> bool:
        return self.value is not None and self.value.status in (
            Value.Status.SUBMITTED,
            Value.Status.ACTIVATED,
        )

    @property
    def activated(self) -> bool:
        return self.value is not None and self.value.status == Value.Status.ACTIVATED

    @property
    def editable(self) -> bool:
        return self.value is None or self.value.status in EDITABLE

    @property
    def last_value(self) -> tuple[str, Decimal] | None:
        return self.previous[0] if self.previous else None

    @property
    def label(self) -> str:
        return f"{self.indicator.code} {self.indicator.title} ({self.period})"


def _indicators_for(frequencies: Iterable[str]) -> QuerySet[Indicator]:
    return Indicator.objects.filter(active=True, frequency__in=list(frequencies))


def due_items(
    rounds: Sequence[CollectionRound],
    *,
    enterer=None,
    team_ids: Iterable[int] | None = None,
    indicators: QuerySet[Indicator] | None = None,
    history: int = 4,
    prefetch_people: bool = False,
) -> list[DueItem]:
    """Every indicator due in `rounds`, with its value, target and last `history` values.

    `enterer` limits it to the indicators assigned to that person; `team_ids` to those teams.
    Items come round by round, indicators by code. A fixed number of queries whatever the
    number of rounds and items: indicators, values, targets, history (none when `history` is
    0), and the people when `prefetch_people`.
    """
    # (round, frequency → period, history window): each round's history is the three years
    # before its earliest period; one query covers every round's window.
    asked = []
    for round_ in rounds:
        period_of = {str(freq): text for freq, text in round_periods(round_)}
        if period_of:
            earliest = min(periods.parse(t).start for t in period_of.values())
            window = (dt.date(earliest.year - 3, earliest.month, 1), earliest)
            asked.append((round_, period_of, window))
    if not asked:
        return []
    frequencies = sorted({freq for _, period_of, _ in asked for freq in period_of})
    qs = indicators if indicators is not None else Indicator.objects.all()
    qs = qs.filter(active=True, frequency__in=frequencies)
    if enterer is not None:
        qs = qs.filter(enterers=enterer)
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    qs = qs.select_related("team", "team__head_of_service").order_by("code")
    if prefetch_people:
        qs = qs.prefetch_related("enterers", "managers")
    found = list(qs)
    if not found:
        return []
    ids = [indicator.id for indicator in found]
    texts = sorted({text for _, period_of, _ in asked for text in period_of.values()})
    # Looked up by key, so unordered: the models' default order joins the indicators to sort.
    values = {
        (v.indicator_id, v.period): v
        for v in Value.objects.filter(indicator_id__in=ids, period__in=texts)
        .select_related("changed_by", "entered_by", "activated_by", "returned_by")
        .order_by()
    }
    targets = {
        (i, p): t
        for i, p, t in Target.objects.filter(indicator_id__in=ids, period__in=texts)
        .order_by()
        .values_list("indicator_id", "period", "value")
    }
    past: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    if history > 0:
        for i, p, start, v in (
            Value.objects.filter(
                indicator_id__in=ids,
                status=Value.Status.ACTIVATED,
                period_start__lt=max(until for _, _, (_, until) in asked),
                period_start__gte=min(since for _, _, (since, _) in asked),
                value__isnull=False,
            )
            .order_by("-period_start")
            .values_list("indicator_id", "period", "period_start", "value")
        ):
            past[i].append((start, p, v))
    result: list[DueItem] = []
    for round_, period_of, (since, until) in asked:
        for indicator in found:
            period = period_of.get(indicator.frequency)
            if period is None:
                continue
            previous = []
            if history > 0:
                previous = [(p, v) for start, p, v in past[indicator.id] if since <= start < until]
            result.append(
                DueItem(
                    round=round_,
                    indicator=indicator,
                    period=period,
                    value=values.get((indicator.id, period)),
                    target=targets.get((indicator.id, period)),
                    previous=previous[:history],
                )
            )
    return result


def find_due(round_: CollectionRound, indicator: Indicator) -> str | None:
    """The period `indicator` is due for in `round_`, or None when it is not asked for."""
    if not indicator.active:
        return None
    for freq, text in round_periods(round_):
        if indicator.frequency == freq:
            return text
    return None


# --- the entry rules --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A cleaned entry: Decimals (or None) and the comment."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""


def _number(raw: object, label: str, errors: dict[str, str], name: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("£", "").rstrip("%").strip()
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[name] = f"{label} must be a number, like 95.5 (not “{str(raw).strip()[:40]}”)"
        return None
    if not number.is_finite():
        errors[name] = f"{label} must be a number, like 95.5"
        return None
    if abs(number) >= MAX_ABS:
        errors[name] = f"{label} is too large"
        return None
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        errors[name] = f"{label} has more than 6 decimal places"
        return None
    return number


def is_ratio(indicator: Indicator) -> bool:
    return indicator.aggregation == Aggregation.RATIO


def clean_entry(
    indicator: Indicator, raw: Mapping[str, object], *, submit: bool, rules=None
) -> tuple[Entry, dict[str, str]]:
    """Parse and check one entry; (entry, {field: message}) with no errors when it is valid.

    Rules: numbers only (thousands commas, £ and a trailing % are allowed); percentages 0–100;
    counts (unit number, no decimal places) whole and not negative; days not negative; for a
    ratio indicator the numerator and denominator give the value (denominator above 0,
    numerator not above it for a percentage). On submit a value is required. The comment rule
    (Amber, Red or special cause) needs the history and is checked by `judge`.
    """
    errors: dict[str, str] = {}
    comment = str(raw.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Performance comment must be {MAX_COMMENT} characters or fewer"
    value = _number(raw.get("value"), "Value", errors, "value")
    numerator = _number(raw.get("numerator"), "Numerator", errors, "numerator")
    denominator = _number(raw.get("denominator"), "Denominator", errors, "denominator")
    for name, label in (
        ("value", "Value"),
        ("numerator", "Numerator"),
        ("denominator", "Denominator"),
        ("comment", "Performance comment"),
    ):
        if "\x00" in str(raw.get(name) or ""):  # PostgreSQL text cannot hold NUL (found by fuzzing)
            errors[name] = f"{label} must not contain a null character"
    percent = indicator.unit == Indicator.Unit.PERCENT
    if is_ratio(indicator):
        if submit and numerator is None and "numerator" not in errors:
            errors["numerator"] = "Enter the numerator"
        if submit and denominator is None and "denominator" not in errors:
            errors["denominator"] = "Enter the denominator"
        if denominator is not None and denominator <= 0:
            errors["denominator"] = "Denominator must be more than 0"
        if numerator is not None and numerator < 0:
            errors["numerator"] = "Numerator must not be negative"
        if (
            percent
            and numerator is not None
            and denominator is not None
            and "denominator" not in errors
            and numerator > denominator
        ):
            errors["numerator"] = "Numerator must not be more than the denominator"
        if numerator is not None and denominator is not None and not errors:
            scale = Decimal(100) if percent else Decimal(1)
            computed = (numerator * scale / denominator).quantize(Decimal("0.000001"))
            if value is not None and round(value, indicator.decimals) != round(
                computed, indicator.decimals
            ):
                errors["value"] = (
                    f"Value {value} does not match numerator ÷ denominator ({computed.normalize()}); "
                    "leave the value empty to have it worked out"
                )
            value = computed
    if value is not None and "value" not in errors and "numerator" not in errors:
        # Unit, type, bounds and ratio rules are data quality's (SPEC §9): one set of rules and
        # words for this form, the Excel upload and the import command.
        for name, message in hooks.one(hooks.ENTRY_PROBLEMS)(
            indicator,
            "",
            value=value,
            numerator=numerator,
            denominator=denominator,
            comment=comment,
            submit=False,
            rules=rules,
        ).items():
            errors.setdefault(name, message)
    if submit and value is None and not errors:
        errors["numerator" if is_ratio(indicator) else "value"] = (
            "Enter the numerator and denominator" if is_ratio(indicator) else "Enter a value"
        )
    return Entry(value, numerator, denominator, comment), errors


@dataclass(frozen=True, slots=True)
class Judgement:
    """Status of an entry as the officer types: level, direction, SPC, and the comment rule."""

    status: status.Status | None
    needs_comment: bool = False
    why: str = ""

    @property
    def level(self) -> Level | None:
        return self.status.level if self.status else None


def judge(
    indicator: Indicator, period: str, entry: Entry, data: status.IndicatorData | None = None
) -> Judgement:
    """Judge `entry` as if it were activated: Reach the Summit level, direction of travel, SPC.

    `data` is the indicator's activated history (`selectors.indicator_data`); loaded when None.
    A comment is needed when the level is Firstbase (Amber) or Basecamp (Red), or the point is
    a special-cause signal of either direction.
    """
    if entry.value is None:
        return Judgement(None)
    when = periods.parse(period)
    if data is None:
        data = selectors.indicator_data([indicator.id], until=when.end)[indicator.id]
    values = dict(data.values)
    values[period] = Observation(entry.value, entry.numerator, entry.denominator)
    data = status.IndicatorData(
        values=values,
        targets=data.targets,
        no_data=data.no_data - {period},
        rebase_periods=data.rebase_periods,
    )
    result = status.status_for(
        selectors.indicator_facts(indicator), data, when, window_closed=False, with_spc=True
    )
    reasons = []
    if result.level in (Level.FIRSTBASE, Level.BASECAMP):
        reasons.append(f"{result.level.rag.capitalize()} ({result.level.label})")
    if result.variation in (
        spc.Variation.IMPROVING,
        spc.Variation.CONCERNING,
        spc.Variation.NEUTRAL,
    ):
        reasons.append("a special-cause signal")
    return Judgement(result, bool(reasons), " and ".join(reasons))


def check_outliers(
    indicator: Indicator,
    period: str,
    entry: Entry,
    errors: dict[str, str],
    data: status.IndicatorData | None = None,
    rules=None,
) -> None:
    """Data quality's submission rules (SPEC §9): outliers need a comment, flags a partner.

    `rules` (from the ENTRY_RULES hook) saves a query per entry when many are checked.
    """
    for name, message in hooks.one(hooks.ENTRY_PROBLEMS)(
        indicator,
        period,
        value=entry.value,
        numerator=entry.numerator,
        denominator=entry.denominator,
        comment=entry.comment,
        submit=True,
        data=data,
        rules=rules,
    ).items():
        errors.setdefault(name, message)


def check_comment(entry: Entry, judgement: Judgement, errors: dict[str, str]) -> None:
    if judgement.needs_comment and not entry.comment:
        errors["comment"] = f"Add a performance comment: the value is {judgement.why}"


# --- writes -----------------------------------------------------------------------------------


def _write(row: Value, /, *, actor, action: str, reason: str = "", **fields) -> None:
    """Set `fields`, bump the version, save and audit, inside the caller's transaction."""
    names = [name for name in AUDITED if name in fields or name == "status"]
    before = audit.snapshot(row, names)
    now = timezone.now()
    for name, new in fields.items():
        setattr(row, name, new)
    row.version += 1
    row.changed_by = actor if getattr(actor, "is_authenticated", False) else None
    row.changed_at = now
    row.save(update_fields=[*fields, "version", "changed_by", "changed_at"])
    audit.record(
        actor=actor,
        instance=row,
        action=action,
        changes=audit.diff(before, audit.snapshot(row, names)),
        reason=reason,
    )


def _locked(value_id: int) -> Value:
    return (
        Value.objects.select_for_update(of=("self",))
        .select_related("indicator", "changed_by")
        .get(pk=value_id)
    )


def _check_version(value: Value, version: int | None) -> None:
    if version is not None and int(version) != value.version:
        raise StaleValue.for_value(value)


def save_entry(
    *,
    user,
    round_: CollectionRound,
    indicator: Indicator,
    raw: Mapping[str, object],
    version: int | None,
    submit: bool,
    data: status.IndicatorData | None = None,
) -> Value:
    """Save an enterer's entry as a draft, or submit it (SPEC §5). Audited.

    `version` is the version the person loaded (0 or None for a value not yet started).
    Raises `Refused`, `EntryInvalid` (with per-field messages) or `StaleValue`.
    """
    if not access.can_enter(user, indicator):
        raise Refused(f"You are not a data enterer for {indicator.code}.")
    period = find_due(round_, indicator)
    if period is None:
        raise Refused(f"{indicator.code} is not due in {round_}.")
    if submit:
        hooks.one(hooks.BEFORE_SUBMIT)(user, "Enterer")
    entry, errors = clean_entry(indicator, raw, submit=submit)
    if submit and not errors:
        check_outliers(indicator, period, entry, errors, data)
    if submit and not errors:
        check_comment(entry, judge(indicator, period, entry, data), errors)
    if errors:
        hooks.one(hooks.ENTRY_REJECTED)(
            indicator=indicator, period=period, errors=errors, channel="form", person=user, raw=raw
        )
        raise EntryInvalid(errors)
    return _store(
        user=user, indicator=indicator, period=period, entry=entry, version=version, submit=submit
    )


@transaction.atomic
def _store(*, user, indicator, period: str, entry: Entry, version, submit: bool) -> Value:
    now = timezone.now()
    target_status = Value.Status.SUBMITTED if submit else Value.Status.DRAFT
    fields = {
        "value": entry.value,
        "numerator": entry.numerator,
        "denominator": entry.denominator,
        "comment": entry.comment,
        "status": target_status,
    }
    existing = Value.objects.filter(indicator=indicator, period=period).values_list("pk", flat=True)
    if not existing:
        if version not in (None, 0, "0", ""):
            raise StaleValue(f"{indicator.code} {period} was removed. Reload the page.")
        try:
            with transaction.atomic():
                value = Value.objects.create(
                    indicator=indicator,
                    period=period,
                    period_start=periods.parse(period).start,
                    entered_by=user,
                    entered_at=now,
                    submitted_at=now if submit else None,
                    changed_by=user,
                    changed_at=now,
                    **fields,
                )
        except IntegrityError:
            value = _locked(
                Value.objects.filter(indicator=indicator, period=period).values_list(
                    "pk", flat=True
                )[0]
            )
            raise StaleValue.for_value(value) from None
        audit.created(
            actor=user,
            instance=value,
            fields=["value", "numerator", "denominator", "comment", "status"],
            reason="submitted" if submit else "",
        )
        return value
    value = _locked(existing[0])
    if version in (None, "", 0, "0"):
        raise StaleValue.for_value(value)
    _check_version(value, version)
    if value.status not in EDITABLE:
        raise Refused(
            f"{indicator.code} {period} is {value.get_status_display().lower()} and locked; "
            "ask its data manager to re-open it with a reason."
        )
    extra = {"entered_by": user, "entered_at": now}
    if submit:
        extra["submitted_at"] = now
    _write(value, actor=user, action="submit" if submit else "update", **fields, **extra)
    return value


@transaction.atomic
def activate(*, user, value_id: int, version: int | None) -> Value:
    """Activate (approve) a submitted value. Not the manager's own entry; locked afterwards."""
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(f"You are not a data manager for {value.indicator.code}.")
    hooks.one(hooks.BEFORE_SUBMIT)(user, "Manager")
    _check_version(value, version)
    if value.status != Value.Status.SUBMITTED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}, "
            "not submitted, so it cannot be activated."
        )
    if value.entered_by_id == user.pk:
        raise Refused(
            f"You entered {value.indicator.code} {value.period} yourself, so another data "
            "manager must activate it."
        )
    _write(
        value,
        actor=user,
        action="activate",
        status=Value.Status.ACTIVATED,
        activated_by=user,
        activated_at=timezone.now(),
    )
    return value


def _reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise EntryInvalid({field_name: "Give a reason, so the enterer knows what to fix"})
    if len(reason) > MAX_COMMENT:
        raise EntryInvalid({field_name: f"Reason must be {MAX_COMMENT} characters or fewer"})
    return reason


@transaction.atomic
def return_value(*, user, value_id: int, version: int | None, reason: str) -> Value:
    """Return a submitted value to its enterer with a reason."""
    reason = _reason(reason)
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(f"You are not a data manager for {value.indicator.code}.")
    _check_version(value, version)
    if value.status != Value.Status.SUBMITTED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}, "
            "not submitted, so it cannot be returned."
        )
    _write(
        value,
        actor=user,
        action="return",
        reason=reason,
        status=Value.Status.RETURNED,
        return_reason=reason,
        returned_by=user,
        returned_at=timezone.now(),
    )
    return value


@transaction.atomic
def correct(*, user, value_id: int, version: int | None, reason: str) -> Value:
    """Re-open an activated value for correction, with a reason (SPEC §5). Managers and officers."""
    reason = _reason(reason)
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(
            f"Only a data manager of {value.indicator.code} or a performance officer can "
            "re-open it."
        )
    _check_version(value, version)
    if value.status != Value.Status.ACTIVATED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}; "
            "only an activated value needs re-opening."
        )
    _write(
        value,
        actor=user,
        action="correct",
        reason=reason,
        status=Value.Status.RETURNED,
        return_reason=f"Re-opened for correction: {reason}",
        returned_by=user,
        returned_at=timezone.now(),
        activated_by=None,
        activated_at=None,
    )
    return value


@dataclass(frozen=True)
class BulkProblem:
    value_id: int
    label: str
    message: str


class BulkRefused(CollectionError):
    def __init__(self, problems: list[BulkProblem]) -> None:
        super().__init__(f"{len(problems)} of the selected values could not be changed")
        self.problems = problems


def bulk(
    *, user, action: str, items: Sequence[tuple[int, int | None]], reason: str = ""
) -> list[Value]:
    """Activate or return many values at once: all or nothing, each problem named."""
    if action == "return":
        reason = _reason(reason)
    problems: list[BulkProblem] = []
    done: list[Value] = []
    with transaction.atomic():
        for value_id, version in items:
            try:
                with transaction.atomic():
                    if action == "activate":
                        done.append(activate(user=user, value_id=value_id, version=version))
                    else:
                        done.append(
                            return_value(
                                user=user, value_id=value_id, version=version, reason=reason
                            )
                        )
            except Value.DoesNotExist:
                problems.append(BulkProblem(value_id, f"value {value_id}", "no longer exists"))
            except CollectionError as error:
                label = Value.objects.filter(pk=value_id).select_related("indicator").first()
                problems.append(
                    BulkProblem(
                        value_id,
                        f"{label.indicator.code} {label.period}" if label else str(value_id),
                        error.message,
                    )
                )
        if problems:
            raise BulkRefused(problems)
    return done


@transaction.atomic
def mark_no_data(item: DueItem) -> Value | None:
    """Record No data for a due item without an activated value when the window closes.

    Idempotent: an activated value or an existing No data record is left alone (None returned).
    Audited as the system. An unfinished draft keeps its figures but is marked No data.
    """
    period = item.period
    existing = (
        Value.objects.select_for_update()
        .filter(indicator_id=item.indicator.pk, period=period)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                value = Value.objects.create(
                    indicator_id=item.indicator.pk,
                    period=period,
                    period_start=periods.parse(period).start,
                    status=Value.Status.NO_DATA,
                    changed_at=timezone.now(),
                )
        except IntegrityError:
            return None
        audit.created(
            actor=None,
            instance=value,
            fields=["status"],
            reason=f"No activated value by the end of the window ({item.round.closes_on}).",
        )
        return value
    if existing.status in (Value.Status.ACTIVATED, Value.Status.NO_DATA):
        return None
    _write(
        existing,
        actor=None,
        action="no_data",
        reason=f"No activated value by the end of the window ({item.round.closes_on}).",
        status=Value.Status.NO_DATA,
    )
    return existing


# --- the activation queue ---------------------------------------------------------------------


@dataclass
class QueueRow:
    value: Value
    target: Decimal | None
    previous: list[tuple[str, Decimal]]
    judgement: Judgement | None = None


def activation_queue(user, *, value_ids: Iterable[int] | None = None) -> list[QueueRow]:
    """Submitted values the person may activate, oldest submission first, with context.

    Two queries whatever the length: the values with their targets, and the history; the level
    of each row is computed from the loaded history (no SPC here: the review page shows it).
    """
    qs = Value.objects.manageable_by(user).filter(status=Value.Status.SUBMITTED)
    if value_ids is not None:
        qs = qs.filter(pk__in=list(value_ids))
    target = Target.objects.filter(
        indicator_id=OuterRef("indicator_id"), period=OuterRef("period")
    ).values("value")[:1]
    rows = list(
        qs.select_related("indicator", "indicator__team", "entered_by", "changed_by")
        .annotate(period_target=Subquery(target))
        .order_by("submitted_at", "indicator__code")
    )
    if not rows:
        return []
    ids = {row.indicator_id for row in rows}
    earliest = min(row.period_start for row in rows)
    history: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    for i, p, start, v in (
        Value.objects.filter(
            indicator_id__in=ids,
            status=Value.Status.ACTIVATED,
            value__isnull=False,
            period_start__gte=dt.date(earliest.year - 2, 1, 1),
        )
        .order_by("-period_start")
        .values_list("indicator_id", "period", "period_start", "value")
    ):
        history[i].append((start, p, v))
    result = []
    for value in rows:
        previous = [
            (p, v) for start, p, v in history[value.indicator_id] if start < value.period_start
        ][:4]
        target = value.period_target
        result.append(QueueRow(value=value, target=target, previous=previous))
    return result


def level_of(indicator: Indicator, actual: Decimal | None, target: Decimal | None) -> Level | None:
    """The level of a figure against a target, without history (for lists)."""
    return calculations.level_of(
        calculations.Reading(
            actual=actual,
            target=target,
            polarity=indicator.polarity,
            decimals=indicator.decimals,
            tolerance=indicator.effective_tolerance,
        )
    )


def period_of(text: str) -> Period:
    return periods.parse(text)

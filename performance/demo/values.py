"""The demo's values (SPEC §4), written with each indicator's targets by `targets_and_values`
(a value's level needs its period's target).

Values come from a per-indicator random walk of the shortfall against target: an AR(1) wobble
around the indicator's typical shortfall, a slow drift (improving or deteriorating over the
years) and, for a few indicators, a sudden shift of about two standard deviations some periods
ago, which SPC reads as special cause. Amber and Red values carry a performance comment; the odd
period has No data or a proxy figure. Each value is entered, submitted and activated in office
hours inside its period's collection window, from 1 April of the first year to the last period
whose window has closed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

from performance.core import calculations, periods
from performance.core.calculations import Level, Polarity
from performance.core.periods import Frequency, Period
from performance.demo.bulk import BATCH, fast_insert
from performance.demo.figures import (
    IndicatorPlan,
    clip,
    size_factor,
    to_decimal,
    value_from_shortfall,
)
from performance.demo.targets import (
    TARGET_FIELDS,
    long_term_target,
    period_targets,
    smart_record,
    target_rows,
)
from performance.models import LongTermTarget, SpcChangePoint, Target, Value

if TYPE_CHECKING:
    from performance.demo import DemoContext

NO_DATA_RATE = 0.006
PROXY_RATE = 0.004
SHIFT_RATE = 0.05

CAUSES = [
    "two vacancies in the team for most of the period",
    "staff sickness in a small team",
    "demand around {n}% higher than the same period last year",
    "a system outage during the period",
    "a backlog carried over from the previous period",
    "the new case management system bedding in",
    "seasonal pressure on the service",
    "the contractor's staffing problems",
]
REMEDIES = [
    "Recruitment is under way and agency cover is in place.",
    "Overtime has been approved to clear the backlog.",
    "An improvement plan has been agreed with the service manager.",
    "Processes are being reviewed with the Policy & Performance team.",
    "We expect to be back on target next period.",
    "The contract manager has issued a default notice and is monitoring weekly.",
]
SHIFT_NOTES = [
    "A new process went live in {period}; the team expects the change to last.",
    "The service was restructured from {period}.",
    "New system introduced in {period}: figures are now recorded differently.",
]
VALUE_FIELDS = (
    "indicator_id",
    "period",
    "period_start",
    "value",
    "numerator",
    "denominator",
    "comment",
    "source",
    "is_proxy",
    "third_party_partner",
    "status",
    "entered_by_id",
    "entered_at",
    "submitted_at",
    "activated_by_id",
    "activated_at",
)


def targets_and_values(
    context: DemoContext,
    plans: list[IndicatorPlan],
    first_fy: int,
    current_fy: int,
    today: dt.date,
) -> dict:
    """Write every indicator's targets, long-term target and values, and the SPC change point.

    Returns the numbers of targets and values written and the last quarter with values.
    """
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    zone = ZoneInfo(settings.TIME_ZONE)
    closed = {kind: _value_periods(kind, first_fy, today, days) for kind in Frequency}
    years = {
        kind: [Period.for_year(fy).sub_periods(kind) for fy in range(first_fy, current_fy + 1)]
        for kind in Frequency
    }
    _choose_shifts(rng, plans, closed)
    targets: list[tuple] = []
    values: list[tuple] = []
    long_term: list[LongTermTarget] = []
    counts: dict = {"targets": 0, "values": 0}

    def flush(force: bool = False) -> None:
        if force or len(values) + len(targets) >= 10 * BATCH:
            counts["targets"] += fast_insert(Target, TARGET_FIELDS, targets)
            counts["values"] += fast_insert(Value, VALUE_FIELDS, values)
            targets.clear()
            values.clear()

    for plan in plans:
        t = plan.template
        smart = smart_record(plan, first_fy)
        year_targets = period_targets(
            plan, years[t.frequency], first_fy=first_fy, current_fy=current_fy
        )
        targets.extend(target_rows(plan, year_targets, smart))
        long_term_row = long_term_target(plan, smart, current_fy=current_fy)
        if long_term_row is not None:
            long_term.append(long_term_row)
        values.extend(_values(rng, plan, closed[t.frequency], days, zone, year_targets))
        flush()
    flush(force=True)
    LongTermTarget.objects.bulk_create(long_term, batch_size=BATCH)
    SpcChangePoint.objects.bulk_create(
        [
            SpcChangePoint(
                indicator_id=plan.indicator_id,
                period=str(closed[plan.template.frequency][plan.shift_from]),
                note="New way of working introduced; the process changed, so limits are rebased.",
            )
            for plan in plans
            if plan.change_point and plan.shift_from is not None
        ]
    )
    quarters = closed[Frequency.QUARTERLY]
    counts["last"] = quarters[-1] if quarters else None
    return counts


def _value_periods(kind: Frequency, first_fy: int, today: dt.date, days: int) -> list[Period]:
    """Every period of `kind` from the start of `first_fy` whose collection window has closed."""
    result = []
    period = Period.for_year(first_fy).sub_periods(kind)[0]
    while periods.window_close(period.request_date(), days) < today:
        result.append(period)
        period = period.next()
    return result


def _choose_shifts(rng, plans: list[IndicatorPlan], closed: dict[Frequency, list[Period]]) -> None:
    """A sudden shift for about one indicator in twenty; the first monthly one is rebased."""
    change_point_done = False
    for plan in plans:
        t = plan.template
        count = len(closed[t.frequency])
        wanted = rng.random() < SHIFT_RATE
        is_change_point = (
            not change_point_done
            and t.frequency is Frequency.MONTHLY
            and t.polarity is not Polarity.NONE
            and count >= 30
        )
        if not (wanted or is_change_point) or count < 16:
            continue
        if is_change_point:
            # Improving by about two and a half standard deviations, 14 months ago, so the new
            # segment has the 12 points SPC needs after the rebase.
            plan.shift_from = count - 14
            plan.shift = -2.5 * t.noise
            plan.change_point = change_point_done = True
        else:
            back = rng.randint(9, 15) if t.frequency is Frequency.MONTHLY else rng.randint(7, 9)
            plan.shift_from = count - back
            plan.shift = rng.choice([-1, 1]) * rng.uniform(1.8, 2.5) * t.noise


def _values(
    rng,
    plan: IndicatorPlan,
    value_periods: list[Period],
    days: int,
    zone: ZoneInfo,
    year_targets: dict[Period, Decimal],
) -> Iterator[tuple]:
    """Activated values (and the odd No data) of one indicator, as rows of VALUE_FIELDS."""
    t = plan.template
    count = len(value_periods)
    sd = t.noise
    innovation = sd * math.sqrt(1 - plan.phi**2)
    wobble = rng.gauss(0, sd)
    level = (t.level or 0) * size_factor(plan, t)
    volume = max(1, round((t.volume or 0) * plan.size)) if t.volume else None
    source = t.source
    for index, period in enumerate(value_periods):
        wobble = plan.phi * wobble + rng.gauss(0, innovation)
        years_from_middle = (index - (count - 1) / 2) / t.frequency.per_year
        shortfall = plan.bias + plan.drift * sd * years_from_middle + wobble
        if plan.shift_from is not None and index >= plan.shift_from:
            shortfall += plan.shift
        target = year_targets.get(period)
        if rng.random() < NO_DATA_RATE and t.polarity is not Polarity.NONE:
            yield (
                plan.indicator_id,
                str(period),
                period.start,
                None,
                None,
                None,
                "",
                "",
                False,
                "",
                Value.Status.NO_DATA.value,
                None,
                None,
                None,
                None,
                None,
            )
            continue
        if t.polarity is Polarity.NONE:
            raw = level * (1 + shortfall / 100)
        else:
            raw = value_from_shortfall(t, float(target), shortfall)
        raw = clip(t, raw, target)
        numerator = denominator = None
        if t.aggregation == "ratio" and volume:
            count_in = max(1, round(volume * rng.uniform(0.8, 1.2)))
            hits = min(max(round(count_in * raw / 100), 0), count_in)
            numerator, denominator = Decimal(hits), Decimal(count_in)
            raw = hits / count_in * 100
        actual = to_decimal(raw, t.decimals)
        level_now = None
        if target is not None:
            level_now = calculations.level_of(
                calculations.Reading(
                    actual=actual,
                    target=target,
                    polarity=t.polarity,
                    decimals=t.decimals,
                    tolerance=t.tolerance if t.tolerance is not None else Decimal(10),
                )
            )
        comment = _comment(rng, level_now, plan, index)
        is_proxy = rng.random() < PROXY_RATE
        if is_proxy:
            comment = (
                f"{comment} Proxy figure: estimated from the previous period because the "
                "source report was not available in time."
            ).strip()
        entered_at, submitted_at, activated_at = _timestamps(rng, period, days, zone)
        plan.latest = [*plan.latest[-1:], (period, level_now, actual, target)]
        yield (
            plan.indicator_id,
            str(period),
            period.start,
            actual,
            numerator,
            denominator,
            comment,
            source,
            is_proxy,
            t.partner,
            Value.Status.ACTIVATED.value,
            _pick(rng, plan.enterers),
            entered_at,
            submitted_at,
            _pick(rng, plan.managers),
            activated_at,
        )


def _pick(rng, people: list[int]) -> int | None:
    """The main officer most of the time, a colleague sometimes."""
    if not people:
        return None
    if len(people) == 1 or rng.random() < 0.8:
        return people[0]
    return rng.choice(people[1:])


def _comment(rng, level: Level | None, plan: IndicatorPlan, index: int) -> str:
    """The enterer's performance comment: required on Amber and Red, and at a process change."""
    polarity = plan.template.polarity
    if plan.shift_from is not None and index == plan.shift_from:
        note = rng.choice(SHIFT_NOTES).format(period="this period")
        if level in (Level.FIRSTBASE, Level.BASECAMP):
            return f"{note} {_shortfall_comment(rng, level, polarity)}"
        return note
    if level in (Level.FIRSTBASE, Level.BASECAMP):
        return _shortfall_comment(rng, level, polarity)
    return ""


def _shortfall_comment(rng, level: Level, polarity: Polarity) -> str:
    cause = rng.choice(CAUSES).format(n=rng.randint(8, 25))
    side = "Above" if polarity is Polarity.LOWER else "Below"
    text = f"{side} target because of {cause}. {rng.choice(REMEDIES)}"
    if level is Level.BASECAMP:
        text += " Raised with the Head of Service."
    return text


def _timestamps(
    rng, period: Period, days: int, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Entered, submitted and activated inside the collection window, in office hours.

    Returned in UTC (the London offset of each day is looked up once): the same instants as
    London times, and far cheaper for the database adapter at the `stress` scale.
    """
    opens = period.request_date()
    last = periods.window_close(opens, days)
    entered_day = opens + dt.timedelta(days=rng.randint(0, max(0, days - 4)))
    entered = _at(entered_day, rng.randint(8, 15), rng.randint(0, 59), zone)
    submitted = entered + dt.timedelta(minutes=rng.randint(5, 120))
    activated_day = min(last, entered_day + dt.timedelta(days=rng.randint(0, 3)))
    activated = _at(activated_day, rng.randint(9, 16), rng.randint(0, 59), zone)
    if activated <= submitted:
        activated = submitted + dt.timedelta(minutes=rng.randint(15, 90))
    return entered, submitted, activated


_OFFSETS: dict[tuple[dt.date, str], dt.timedelta] = {}


def _at(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    """`hour`:`minute` local time on `day` as an aware UTC datetime (office hours: no DST gap)."""
    key = (day, str(zone))
    offset = _OFFSETS.get(key)
    if offset is None:
        offset = _OFFSETS[key] = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
    return local - offset

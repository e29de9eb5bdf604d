"""Data collection pages (SPEC §5): My returns, the activation queue, corrections, Excel, rounds.

Thin views: parse, call `collection`/`excel`, render the page or the htmx fragment. Access: an
indicator or value outside the person's scope is a 404 (its id reveals nothing); an action the
role may not take on something they can see is a 403.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from performance.collection import excel
from performance.collection import services as collection
from performance.common import access, hooks
from performance.core import calculations, periods
from performance.core.calculations import Direction, Level
from performance.models import CollectionRound, Indicator, Team, Value

LEVEL_ICONS = {
    Level.SUMMIT: "✔",
    Level.FIRSTBASE: "!",
    Level.BASECAMP: "✖",
    Level.NO_DATA: "–",
}
DIRECTION_ICONS = {
    Direction.IMPROVING: "↑",
    Direction.DETERIORATING: "↓",
    Direction.STABLE: "→",
    Direction.NONE: "",
}
STATUS_ICONS = {
    "not_started": "○",
    Value.Status.DRAFT: "✎",
    Value.Status.SUBMITTED: "✉",
    Value.Status.RETURNED: "↩",
    Value.Status.ACTIVATED: "✔",
    Value.Status.NO_DATA: "–",
}


# --- shared bits ------------------------------------------------------------------------------


def _preview(
    indicator: Indicator,
    *,
    value: Decimal | None,
    target: Decimal | None,
    previous: tuple[str, Decimal] | None,
    judgement: collection.Judgement | None = None,
) -> dict:
    """What the live status shows: level, direction against the last period, comment needed."""
    if judgement is not None and judgement.status is not None:
        level = judgement.status.level
        direction = judgement.status.dot_previous
        variation = judgement.status.variation
        needs, why = judgement.needs_comment, judgement.why
    else:
        level = collection.level_of(indicator, value, target) if value is not None else None
        direction = (
            calculations.direction_of_travel(
                value, previous[1], indicator.polarity, indicator.decimals
            )
            if value is not None and previous
            else Direction.NONE
        )
        variation = None
        needs = level in (Level.FIRSTBASE, Level.BASECAMP)
        why = f"{level.rag.capitalize()} ({level.label})" if needs and level else ""
    return {
        "value": value,
        "level": level,
        "level_icon": LEVEL_ICONS.get(level, ""),
        "rag": level.rag.capitalize() if level and level != Level.NO_DATA else "",
        "direction": direction,
        "direction_icon": DIRECTION_ICONS[direction],
        "previous": previous,
        "variation": variation,
        "needs_comment": needs,
        "why": why,
        "has_target": target is not None and indicator.polarity != "none",
    }


def _item_context(item: collection.DueItem, *, raw=None, errors=None, notice="", stale="") -> dict:
    value = item.value
    if raw is None:
        raw = {
            "value": "" if value is None or value.value is None else value.value.normalize(),
            "numerator": ""
            if value is None or value.numerator is None
            else value.numerator.normalize(),
            "denominator": ""
            if value is None or value.denominator is None
            else value.denominator.normalize(),
            "comment": value.comment if value else "",
        }
        current = value.value if value else None
    else:
        entry, _ = collection.clean_entry(item.indicator, raw, submit=False)
        current = entry.value
    return {
        "item": item,
        "raw": raw,
        "errors": errors or {},
        "notice": notice,
        "stale": stale,
        "status_icon": STATUS_ICONS.get(item.status, ""),
        "preview": _preview(
            item.indicator, value=current, target=item.target, previous=item.last_value
        ),
        "ratio": collection.is_ratio(item.indicator),
    }


def _round_or_404(round_id: int) -> CollectionRound:
    return get_object_or_404(CollectionRound, pk=round_id)


def _entry_item(request, round_id: int, indicator_id: int) -> collection.DueItem:
    """The due item, or 404 when the person may not see it or it is not due in the round."""
    round_ = _round_or_404(round_id)
    indicator = access.indicator_for(request.user, indicator_id, to="drafts", related=["team"])
    if collection.find_due(round_, indicator) is None:
        raise Http404("Not due in this round.")
    items = collection.due_items([round_], indicators=Indicator.objects.filter(pk=indicator.pk))
    return items[0]


# --- My returns -------------------------------------------------------------------------------


def _my_items(user) -> tuple[list[CollectionRound], list[collection.DueItem]]:
    """Due items of the open rounds, plus my values returned or re-opened in earlier rounds."""
    rounds = collection.open_rounds()
    items = collection.due_items(rounds, enterer=user)
    seen = {(i.indicator.id, i.period) for i in items}
    reopened = (
        Value.objects.filter(
            indicator__in=Indicator.objects.filter(enterers=user).values("id"),
            status=Value.Status.RETURNED,
        )
        .exclude(period__in=[i.period for i in items])
        .values_list("indicator_id", "period")
    )
    extra_pairs = [pair for pair in reopened if pair not in seen]
    if extra_pairs:
        past_rounds = {}
        for _, text in extra_pairs:
            period = periods.parse(text)
            kind = (
                CollectionRound.Kind.MONTHLY
                if period.kind == periods.Frequency.MONTHLY
                else CollectionRound.Kind.QUARTERLY
            )
            round_period = str(
                period if period.kind != periods.Frequency.ANNUAL else period.quarters()[-1]
            )
            past_rounds[(kind, round_period)] = None
        found = CollectionRound.objects.filter(
            Q(*[Q(kind=k, period=p) for k, p in past_rounds], _connector=Q.OR)
        )
        wanted = set(extra_pairs)
        for item in collection.due_items(list(found), enterer=user):
            if (item.indicator.id, item.period) in wanted:
                items.append(item)
                if item.round not in rounds:
                    rounds.append(item.round)
    return rounds, items


def _my_returns_context(request, *, override: dict | None = None) -> dict:
    rounds, items = _my_items(request.user)
    states = {r.pk: collection.round_state(r) for r in rounds}
    groups = []
    for round_ in rounds:
        round_items = [i for i in items if i.round.pk == round_.pk]
        contexts = []
        for item in round_items:
            if override and override["key"] == item.key:
                contexts.append(override["context"])
            else:
                contexts.append(_item_context(item))
        counts = Counter(i.status for i in round_items)
        groups.append(
            {
                "round": round_,
                "state": states[round_.pk],
                "items": contexts,
                "total": len(round_items),
                "submitted": sum(1 for i in round_items if i.submitted),
                "counts": counts,
            }
        )
    return {"groups": groups, "total": len(items)}


@require_GET
@login_required
def my_returns(request: HttpRequest) -> HttpResponse:
    return render(request, "performance/returns/my_returns.html", _my_returns_context(request))


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def return_item(request: HttpRequest, round_id: int, indicator_id: int) -> HttpResponse:
    """One due item: GET its fragment; POST saves it as a draft or submits it."""
    item = _entry_item(request, round_id, indicator_id)
    if request.method == "GET":
        return render(request, "performance/returns/_item.html", _item_context(item))
    if not access.can_enter(request.user, item.indicator):
        raise PermissionDenied("You are not a data enterer for this indicator.")
    raw = {
        name: request.POST.get(name, "")
        for name in ("value", "numerator", "denominator", "comment")
    }
    submit = request.POST.get("action") == "submit"
    version = request.POST.get("version") or None
    errors: dict[str, str] = {}
    stale = ""
    sign_url = ""  # set when the data quality statement must be signed first (SPEC §9)
    try:
        collection.save_entry(
            user=request.user,
            round_=item.round,
            indicator=item.indicator,
            raw=raw,
            version=int(version) if version and version.isdigit() else None,
            submit=submit,
        )
    except collection.EntryInvalid as error:
        errors = error.errors
    except collection.StaleValue as error:
        stale = error.message
    except collection.Refused as error:
        stale = error.message
        sign_url = getattr(error, "url", "")
    if errors or stale:
        fresh = _entry_item(request, round_id, indicator_id) if stale else item
        context = _item_context(fresh, raw=raw, errors=errors, stale=stale)
        context["sign_url"] = sign_url
        if stale:
            context["raw"] = raw
        if request.htmx:
            return render(request, "performance/returns/_item.html", context)
        page = _my_returns_context(request, override={"key": item.key, "context": context})
        page["page_errors"] = [(f"#item-{item.key}-{f}", m) for f, m in errors.items()] or [
            (f"#item-{item.key}", stale)
        ]
        return render(request, "performance/returns/my_returns.html", page, status=400)
    fresh = _entry_item(request, round_id, indicator_id)
    notice = (
        f"Submitted {fresh.indicator.code} for activation."
        if submit
        else f"Saved {fresh.indicator.code} as a draft."
    )
    if request.htmx:
        return render(
            request, "performance/returns/_item.html", _item_context(fresh, notice=notice)
        )
    messages.success(request, notice)
    return redirect(reverse("performance:my-returns") + f"#item-{fresh.key}")


@require_GET
@login_required
def return_preview(request: HttpRequest, round_id: int, indicator_id: int) -> HttpResponse:
    """The live status of what is typed: level, direction, SPC and whether a comment is needed."""
    item = _entry_item(request, round_id, indicator_id)
    raw = {
        name: request.GET.get(name, "") for name in ("value", "numerator", "denominator", "comment")
    }
    entry, errors = collection.clean_entry(item.indicator, raw, submit=False)
    judgement = None
    if not errors and entry.value is not None:
        judgement = collection.judge(item.indicator, item.period, entry)
    preview = _preview(
        item.indicator,
        value=entry.value if not errors else None,
        target=item.target,
        previous=item.last_value,
        judgement=judgement,
    )
    return render(
        request,
        "performance/returns/_preview.html",
        {"item": item, "preview": preview, "preview_errors": errors},
    )


# --- Excel ------------------------------------------------------------------------------------


@require_GET
@login_required
def returns_download(request: HttpRequest) -> HttpResponse:
    items = collection.due_items(collection.open_rounds(), enterer=request.user, history=1)
    data = excel.build_workbook(items)
    response = HttpResponse(data, content_type=excel.XLSX_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-returns-{stamp}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def returns_upload(request: HttpRequest) -> HttpResponse:
    context: dict = {"max_mb": excel.MAX_BYTES // 1024 // 1024, "mode": "draft"}
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        mode = request.POST.get("mode", "draft")
        context["mode"] = mode
        if upload is None:
            context["file_error"] = "Choose the Excel workbook to upload"
        elif mode not in ("draft", "submit"):
            context["mode_error"] = "Choose whether to save the values as drafts or submit them"
        elif upload.size > excel.MAX_BYTES:
            context["file_error"] = (
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the largest file accepted is "
                f"{context['max_mb']} MB."
            )
        else:
            try:
                result = excel.import_workbook(
                    user=request.user,
                    name=upload.name,
                    data=upload.read(excel.MAX_BYTES + 1),
                    submit=mode == "submit",
                )
            except excel.UploadRefused as error:
                context["file_error"] = error.message
            else:
                if result.ok:
                    verb = "submitted" if result.submitted else "saved as drafts"
                    messages.success(
                        request,
                        f"{result.saved} value{'s' if result.saved != 1 else ''} {verb}"
                        f"{f'; {result.skipped} row(s) unchanged or empty' if result.skipped else ''}.",
                    )
                    return redirect("performance:my-returns")
                context["row_errors"] = result.errors[: excel.MAX_ERRORS_SHOWN]
                context["row_error_count"] = len(result.errors)
        status = 400
    else:
        status = 200
    return render(request, "performance/returns/upload.html", context, status=status)


# --- activation -------------------------------------------------------------------------------


def _queue_context(request, *, problems=None, reason_error="", reason="") -> dict:
    rows = collection.activation_queue(request.user)
    for row in rows:
        row.preview = _preview(
            row.value.indicator,
            value=row.value.value,
            target=row.target,
            previous=row.previous[0] if row.previous else None,
        )
    evidence = hooks.one(hooks.VALUE_EVIDENCE)(row.value.pk for row in rows)
    for row in rows:
        row.evidence = evidence.get(row.value.pk, [])
    return {
        "rows": rows,
        "problems": problems or [],
        "reason_error": reason_error,
        "reason": reason,
        # A refusal for want of a signed data quality statement links to the statement.
        "sign_needed": any("data quality statement" in p.message for p in problems or []),
    }


def _require_manager_role(user) -> None:
    if (
        not access.roles_of(user)
        & {
            access.Role.DATA_MANAGER,
            access.Role.PERFORMANCE_OFFICER,
        }
        and not user.managed_indicators.exists()
    ):
        raise PermissionDenied("The activation queue is for data managers.")


@require_GET
@login_required
def activation_queue(request: HttpRequest) -> HttpResponse:
    _require_manager_role(request.user)
    return render(request, "performance/returns/activation_queue.html", _queue_context(request))


@require_POST
@login_required
def activation_bulk(request: HttpRequest) -> HttpResponse:
    _require_manager_role(request.user)
    action = request.POST.get("action")
    ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
    reason = request.POST.get("reason", "")
    if action not in ("activate", "return"):
        raise PermissionDenied("Unknown action.")
    if not ids:
        context = _queue_context(request, reason=reason)
        context["problems"] = [collection.BulkProblem(0, "Selection", "Select at least one value")]
        return render(request, "performance/returns/activation_queue.html", context, status=400)
    visible = set(
        Value.objects.drafts_visible_to(request.user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if set(ids) - visible:
        raise Http404("No such value.")
    items = []
    for value_id in ids:
        version = request.POST.get(f"version-{value_id}", "")
        items.append((value_id, int(version) if version.isdigit() else None))
    try:
        done = collection.bulk(user=request.user, action=action, items=items, reason=reason)
    except collection.EntryInvalid as error:
        return render(
            request,
            "performance/returns/activation_queue.html",
            _queue_context(request, reason_error=error.errors.get("reason", ""), reason=reason),
            status=400,
        )
    except collection.BulkRefused as error:
        return render(
            request,
            "performance/returns/activation_queue.html",
            _queue_context(request, problems=error.problems, reason=reason),
            status=409,
        )
    verb = "Activated" if action == "activate" else "Returned"
    messages.success(request, f"{verb} {len(done)} value{'s' if len(done) != 1 else ''}.")
    return redirect("performance:activation-queue")


def _visible_value_or_404(user, value_id: int) -> Value:
    return access.value_for(
        user,
        value_id,
        related=["indicator", "indicator__team", "entered_by", "changed_by", "activated_by"],
    )


def _chart(points: list[tuple[str, Decimal]], target: Decimal | None) -> dict | None:
    """A small line chart as SVG coordinates (oldest first), or None with fewer than 2 points."""
    if len(points) < 2:
        return None
    numbers = [float(v) for _, v in points] + ([float(target)] if target is not None else [])
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    width, height, pad = 320, 100, 10
    step = (width - 2 * pad) / (len(points) - 1)

    def y(v: float) -> float:
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(float(v))) for i, (_, v) in enumerate(points)]
    return {
        "width": width,
        "height": height,
        "polyline": " ".join(f"{x},{yy}" for x, yy in coords),
        "dots": [
            {"x": x, "y": yy, "label": p, "value": v}
            for (x, yy), (p, v) in zip(coords, points, strict=True)
        ],
        "target_y": y(float(target)) if target is not None else None,
        "first": points[0][0],
        "last": points[-1][0],
    }


@require_http_methods(["GET", "POST"])
@login_required
def value_review(request: HttpRequest, value_id: int) -> HttpResponse:
    """Review one value with its context; activate it or return it with a reason."""
    value = _visible_value_or_404(request.user, value_id)
    errors: dict[str, str] = {}
    reason = ""
    sign_url = ""
    if request.method == "POST":
        if not access.can_manage(request.user, value.indicator):
            raise PermissionDenied("You are not a data manager for this indicator.")
        action = request.POST.get("action")
        version = request.POST.get("version", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "activate":
                collection.activate(
                    user=request.user,
                    value_id=value.pk,
                    version=int(version) if version.isdigit() else None,
                )
                messages.success(request, f"Activated {value.indicator.code} {value.period}.")
            elif action == "return":
                collection.return_value(
                    user=request.user,
                    value_id=value.pk,
                    version=int(version) if version.isdigit() else None,
                    reason=reason,
                )
                messages.success(
                    request, f"Returned {value.indicator.code} {value.period} to its enterer."
                )
            else:
                raise PermissionDenied("Unknown action.")
            return redirect("performance:activation-queue")
        except collection.EntryInvalid as error:
            errors = error.errors
        except collection.CollectionError as error:
            errors = {"action": error.message}
            sign_url = getattr(error, "url", "")
        value = _visible_value_or_404(request.user, value_id)
    indicator = value.indicator
    history = list(
        Value.objects.filter(
            indicator=indicator,
            status=Value.Status.ACTIVATED,
            period_start__lt=value.period_start,
            value__isnull=False,
        )
        .order_by("-period_start")
        .values_list("period", "value")[:8]
    )
    target = indicator.targets.filter(period=value.period).values_list("value", flat=True).first()
    judgement = None
    if value.value is not None:
        judgement = collection.judge(
            indicator,
            value.period,
            collection.Entry(value.value, value.numerator, value.denominator, value.comment),
        )
    preview = _preview(
        indicator,
        value=value.value,
        target=target,
        previous=history[0] if history else None,
        judgement=judgement,
    )
    series = list(reversed(history)) + (
        [(value.period, value.value)] if value.value is not None else []
    )
    context = {
        "value": value,
        "indicator": indicator,
        "target": target,
        "history": history,
        "preview": preview,
        "chart": _chart(series, target),
        "errors": errors,
        "reason": reason,
        "can_manage": access.can_manage(request.user, indicator),
        "own_entry": value.entered_by_id == request.user.pk,
        "status_icon": STATUS_ICONS.get(value.status, ""),
        "sign_url": sign_url,
        "evidence": hooks.one(hooks.VALUE_EVIDENCE)([value.pk]).get(value.pk, []),
    }
    status = 400 if errors else 200
    return render(request, "performance/returns/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def value_correct(request: HttpRequest, value_id: int) -> HttpResponse:
    """Re-open an activated value for correction, with a reason."""
    value = _visible_value_or_404(request.user, value_id)
    if not access.can_manage(request.user, value.indicator):
        raise PermissionDenied(
            "Only the indicator's data managers and performance officers can re-open a value."
        )
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        version = request.POST.get("version", "")
        try:
            collection.correct(
                user=request.user,
                value_id=value.pk,
                version=int(version) if version.isdigit() else None,
                reason=reason,
            )
        except collection.EntryInvalid as error:
            errors = error.errors
        except collection.CollectionError as error:
            errors = {"action": error.message}
        else:
            messages.success(
                request,
                f"Re-opened {value.indicator.code} {value.period}; its enterers can correct it in My returns.",
            )
            return redirect("performance:value-review", value_id=value.pk)
        value = _visible_value_or_404(request.user, value_id)
    return render(
        request,
        "performance/returns/correct.html",
        {"value": value, "errors": errors, "reason": reason},
        status=400 if errors else 200,
    )


# --- rounds -----------------------------------------------------------------------------------

STATUS_COLUMNS = [
    ("not_started", "Not started"),
    (Value.Status.DRAFT, "Draft"),
    (Value.Status.SUBMITTED, "Submitted"),
    (Value.Status.RETURNED, "Returned"),
    (Value.Status.ACTIVATED, "Activated"),
    (Value.Status.NO_DATA, "No data"),
]


def _scope_team_ids(user) -> list[int] | None:
    team_ids = access.readable_team_ids(user)
    return None if team_ids is None else list(team_ids)


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """Every recent round with its state, countdown and progress (two queries for the counts)."""
    today = timezone.localdate()
    rounds = list(
        CollectionRound.objects.filter(opens_on__gte=today - dt.timedelta(days=400)).order_by(
            "-opens_on", "kind"
        )
    )
    team_ids = _scope_team_ids(request.user)
    indicators = Indicator.objects.filter(active=True)
    if team_ids is not None:
        indicators = indicators.filter(team_id__in=team_ids)
    per_frequency = dict(indicators.values_list("frequency").annotate(n=Count("id")))
    texts = {text for r in rounds for _, text in collection.round_periods(r)}
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for freq, text, state, n in (
        Value.objects.filter(indicator__in=indicators.values("id"), period__in=texts)
        .values_list("indicator__frequency", "period", "status")
        .annotate(n=Count("id"))
    ):
        counts[(freq, text)][state] += n
    rows = []
    for round_ in rounds:
        due = 0
        tally: Counter = Counter()
        for freq, text in collection.round_periods(round_):
            due += per_frequency.get(str(freq), 0)
            tally.update(counts[(str(freq), text)])
        rows.append(
            {
                "round": round_,
                "state": collection.round_state(round_),
                "due": due,
                "activated": tally[Value.Status.ACTIVATED],
                "submitted": tally[Value.Status.SUBMITTED],
                "no_data": tally[Value.Status.NO_DATA],
            }
        )
    return render(request, "performance/returns/round_list.html", {"rows": rows})


@require_GET
@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round_or_404(round_id)
    team_ids = _scope_team_ids(request.user)
    items = collection.due_items([round_], team_ids=team_ids, history=0)
    by_team: dict[int | None, Counter] = defaultdict(Counter)
    for item in items:
        by_team[item.indicator.team_id][item.status] += 1
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[k for k in by_team if k])}
    table = []
    for team_id, tally in sorted(
        by_team.items(), key=lambda pair: teams[pair[0]].name if pair[0] else "~"
    ):
        table.append(
            {
                "team": teams.get(team_id),
                "cells": [tally[key] for key, _ in STATUS_COLUMNS],
                "total": sum(tally.values()),
            }
        )
    totals = Counter(item.status for item in items)
    return render(
        request,
        "performance/returns/round_detail.html",
        {
            "round": round_,
            "state": collection.round_state(round_),
            "columns": STATUS_COLUMNS,
            "table": table,
            "totals": [totals[key] for key, _ in STATUS_COLUMNS],
            "total": len(items),
        },
    )

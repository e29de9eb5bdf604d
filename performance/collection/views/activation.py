"""Activation (SPEC §5): the queue of submitted values, activating or returning them in bulk,
reviewing one value in its context, and re-opening an activated value for correction.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.collection import queue, rules
from performance.collection import services as collection
from performance.collection.views.common import STATUS_ICONS, status_preview
from performance.common import access, hooks
from performance.models import Value


def _queue_context(request, *, problems=None, reason_error="", reason="") -> dict:
    rows = queue.activation_queue(request.user)
    for row in rows:
        row.preview = status_preview(
            row.value.indicator,
            value=row.value.value,
            target=row.target,
            previous=row.previous[0] if row.previous else None,
            comment=row.value.comment,
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
        context = _queue_context(
            request, reason_error=error.errors.get("reason", ""), reason=reason
        )
        context["problems"] = [
            collection.BulkProblem(0, "Version", message)
            for field, message in error.errors.items()
            if field != "reason"
        ]
        return render(request, "performance/returns/activation_queue.html", context, status=400)
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
        judgement = rules.judge(
            indicator,
            value.period,
            rules.Entry(value.value, value.numerator, value.denominator, value.comment),
        )
    preview = status_preview(
        indicator,
        value=value.value,
        target=target,
        previous=history[0] if history else None,
        judgement=judgement,
        comment=value.comment,
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

"""My returns (SPEC §5): the due items of the open rounds, entered and submitted one by one with
a live status preview, or all at once through the Excel workbook.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.collection import due, excel, rules
from performance.collection import services as collection
from performance.collection.views.common import STATUS_ICONS, round_or_404, status_preview
from performance.common import access, hooks
from performance.core import periods, status
from performance.indicators import selectors
from performance.models import CollectionRound, Indicator, Target, Value

# Read as done (issue 19): no form once submitted or activated, unless the enterer asks to
# change a submitted one (saving it as a draft withdraws it; the service allows that until a
# data manager activates it).
DONE = (Value.Status.SUBMITTED, Value.Status.ACTIVATED)
FORECAST_FIELDS = ("forecast", "forecast_comment")
# The people an item shows: the data managers of a submitted one (the enterers are not shown).
MANAGERS = ("managers",)


def _evidence(items: list[due.DueItem]) -> dict[int, list]:
    """The working papers of the items' values (one query, by the data quality app's hook)."""
    ids = [item.value.pk for item in items if item.value is not None]
    return hooks.one(hooks.VALUE_EVIDENCE)(ids) if ids else {}


def _annual_targets(items: list[due.DueItem]) -> dict[str, Decimal]:
    """The annual target of each item (by key) that asks for a year-end forecast (issue 20): a
    monthly or quarterly indicator with a target for its financial year, its own or profiled
    over the year's periods (`status.target_for`). One query."""
    asking = [i for i in items if rules.asks_forecast(i.indicator)]
    if not asking:
        return {}
    years = {i.key: periods.parse(i.period).financial_year for i in asking}
    targets: dict[int, dict[str, Decimal]] = {}
    for indicator_id, period, value in Target.objects.filter(
        indicator_id__in={i.indicator.pk for i in asking},
        period_start__gte=min(y.start for y in years.values()),
        period_start__lte=max(y.end for y in years.values()),
    ).values_list("indicator_id", "period", "value"):
        targets.setdefault(indicator_id, {})[period] = value
    result = {}
    for item in asking:
        target = status.target_for(
            selectors.indicator_facts(item.indicator),
            status.IndicatorData(targets=targets.get(item.indicator.pk, {})),
            years[item.key],
        )
        if target is not None:
            result[item.key] = target
    return result


def _item_context(
    item: due.DueItem,
    *,
    raw=None,
    errors=None,
    notice="",
    stale="",
    editing=False,
    evidence: dict[int, list] | None = None,
    annual_targets: dict[str, Decimal] | None = None,
) -> dict:
    if annual_targets is None:
        annual_targets = _annual_targets([item])
    value = item.value
    done = value is not None and value.status in DONE
    read_only = done and (value.status == Value.Status.ACTIVATED or not (editing or raw or stale))
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
            "forecast": ""
            if value is None or value.forecast is None
            else value.forecast.normalize(),
            "forecast_comment": value.forecast_comment if value else "",
        }
        current = value.value if value else None
    else:
        entry, _ = rules.clean_entry(item.indicator, raw, submit=False)
        current = entry.value
    return {
        "item": item,
        "raw": raw,
        "errors": errors or {},
        "notice": notice,
        "stale": stale,
        "status_icon": STATUS_ICONS.get(item.status, ""),
        "preview": status_preview(
            item.indicator,
            value=current,
            target=item.target,
            previous=item.last_value,
            comment=str(raw.get("comment") or ""),
        ),
        "ratio": rules.is_ratio(item.indicator),
        # The optional year-end forecast (issue 20), with the target it is judged against.
        "annual_target": annual_targets.get(item.key),
        "forecast_year": periods.parse(item.period).financial_year,
        "read_only": read_only,
        "editing": editing and done and not read_only,
        "managers": _names(item.indicator.managers.all()) if done else "",
        # Working papers (issue 19): attached from here through the data quality upload page.
        "evidence": (
            (evidence if evidence is not None else _evidence([item])).get(value.pk, [])
            if value is not None
            else []
        ),
    }


def _names(people) -> str:
    names = [p.get_full_name() or p.get_username() for p in people]
    if len(names) <= 1:
        return names[0] if names else "a data manager"
    return ", ".join(names[:-1]) + " or " + names[-1]


def _entry_item(request, round_id: int, indicator_id: int) -> due.DueItem:
    """The due item, or 404 when the person may not see it or it is not due in the round."""
    round_ = round_or_404(round_id)
    indicator = access.indicator_for(request.user, indicator_id, to="drafts", related=["team"])
    if due.find_due(round_, indicator) is None:
        raise Http404("Not due in this round.")
    # The indicator as read for the access check, not read again (issue 23); its data
    # managers are read only when the item shows them (submitted or activated).
    return due.due_items([round_], indicators=[indicator])[0]


# --- My returns -------------------------------------------------------------------------------


def _my_items(user) -> tuple[list[CollectionRound], list[due.DueItem]]:
    """Due items of the open rounds, plus my values returned or re-opened in earlier rounds."""
    rounds = due.open_rounds()
    items = due.due_items(rounds, enterer=user, prefetch_people=True, people=MANAGERS)
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
        for item in due.due_items(list(found), enterer=user, prefetch_people=True, people=MANAGERS):
            if (item.indicator.id, item.period) in wanted:
                items.append(item)
                if item.round not in rounds:
                    rounds.append(item.round)
    return rounds, items


def _my_returns_context(request, *, override: dict | None = None) -> dict:
    rounds, items = _my_items(request.user)
    states = {r.pk: due.round_state(r) for r in rounds}
    evidence = _evidence(items)
    annual_targets = _annual_targets(items)
    groups = []
    for round_ in rounds:
        round_items = [i for i in items if i.round.pk == round_.pk]
        contexts = []
        for item in round_items:
            if override and override["key"] == item.key:
                contexts.append(override["context"])
            else:
                contexts.append(
                    _item_context(
                        item,
                        editing=request.GET.get("edit") == item.key,
                        evidence=evidence,
                        annual_targets=annual_targets,
                    )
                )
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
        editing = request.GET.get("edit") == "1"
        return render(
            request, "performance/returns/_item.html", _item_context(item, editing=editing)
        )
    if not access.can_enter(request.user, item.indicator):
        raise PermissionDenied("You are not a data enterer for this indicator.")
    raw = {
        name: request.POST.get(name, "")
        for name in ("value", "numerator", "denominator", "comment", *FORECAST_FIELDS)
    }
    submit = request.POST.get("action") == "submit"
    version = request.POST.get("version") or None
    errors: dict[str, str] = {}
    stale = ""
    sign_url = ""  # set when the data quality statement must be signed first (SPEC §9)
    try:
        saved = collection.save_entry(
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
    # The item as read before, with the value as saved: the target, history and people are
    # unchanged by a save, so they are not read again (half the queries of a save, issue 23).
    fresh = dataclasses.replace(item, value=saved)
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
    entry, errors = rules.clean_entry(item.indicator, raw, submit=False)
    judgement = None
    if not errors and entry.value is not None:
        judgement = rules.judge(item.indicator, item.period, entry)
    preview = status_preview(
        item.indicator,
        value=entry.value if not errors else None,
        target=item.target,
        previous=item.last_value,
        judgement=judgement,
        comment=entry.comment,
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
    items = due.due_items(due.open_rounds(), enterer=request.user, history=1)
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

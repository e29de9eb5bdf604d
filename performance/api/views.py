"""The endpoints of /api/v1/ (SPEC §15).

Every read goes through the same gate as the pages (`Indicator.objects.readable_by`,
`Value.objects.readable_by`) and the same row builders as the commands (`indicator_status`,
`league_table`, `benchmark_position`, `risk_register`), so the API holds no copy of who may see what and gives the
commands' digits. Lists are `{"results": [...], "next": URL or null}` in a stable order;
`?format=csv` gives the same rows as CSV (the next page in a `Link` header). GET answers carry
an `ETag`; a matching `If-None-Match` gets 304.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarking.positions import COLUMNS as POSITION_COLUMNS
from benchmarking.positions import PositionError, position_row
from performance.api import serializers, services
from performance.collection.excel import upload
from performance.common import audit
from performance.core import periods
from performance.indicators.status_export import COLUMNS as STATUS_COLUMNS
from performance.indicators.status_export import NUMBER_COLUMNS, shared_status_rows
from performance.models import ApiIdempotencyKey, Indicator, Value
from performance.risks import exports as risk_exports
from performance.risks import selectors as risk_selectors
from performance.risks import services as risk_services
from reach_summit import exports as league_exports
from reach_summit import selectors as league_selectors

PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000
MAX_VALUES_PER_POST = 5000


class BadParameter(exceptions.ValidationError):
    """400 naming the parameter: {"period": ["…"]}."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__({name: [message]})


def _page_size(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise BadParameter("page_size", "must be a whole number") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadParameter("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    return size


def _link(request: Request, **changes: Any) -> str:
    query = request.query_params.copy()
    for key, value in changes.items():
        query[key] = str(value)
    return request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)


def paginated(request: Request, rows: Sequence[dict[str, Any]]) -> Response:
    """One page of `rows` (already in their stable order) and the link to the next."""
    size = _page_size(request)
    raw = request.query_params.get("page") or "1"
    try:
        page = int(raw)
    except ValueError:
        raise BadParameter("page", "must be a whole number") from None
    if page < 1:
        raise BadParameter("page", "must be 1 or more")
    start = (page - 1) * size
    chunk = list(rows[start : start + size])
    more = len(rows) > start + size
    return _listing(request, chunk, _link(request, page=page + 1) if more else None)


def _listing(request: Request, rows: list[dict[str, Any]], next_url: str | None) -> Response:
    response = Response({"results": rows, "next": next_url})
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response


def _period(request: Request, name: str = "period") -> periods.Period:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        raise BadParameter(name, "is required, e.g. 2025/26 Q2")
    try:
        return periods.parse(raw)
    except periods.PeriodError as error:
        raise BadParameter(name, str(error)) from None


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text != "" else None


# Every answer that is not the data: 400 names the parameter ({"period": ["…"]}) or says what is
# wrong with the body ({"detail": "…"}); the others carry {"detail": "…"}.
ERRORS: dict[int, Any] = {
    400: OpenApiTypes.OBJECT,
    401: serializers.Problem,
    403: serializers.Problem,
    404: serializers.Problem,
    429: serializers.Problem,
}


def answers(ok: Any) -> dict[int, Any]:
    return {200: ok, **ERRORS}


# What the period parsers accept (the schema says it; the parsers still judge the year).
PERIOD_PATTERN = r"^\s*\d{4}/\d{2}( Q[1-4])?\s*$|^\s*\d{4}-\d{2}\s*$"
QUARTER_PATTERN = r"^\s*(\d{4}/\d{2} Q[1-4]|\d{4}-\d{2}-[qQ][1-4])\s*$"

CSV_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: the same rows as CSV."
)
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="1-based page number (see `next`)."),
    OpenApiParameter("page_size", int, description=f"Rows per page, at most {MAX_PAGE_SIZE}."),
]


class Endpoint(APIView):
    """Every endpoint: `format` is json or csv, and a typed parameter given is not empty."""

    typed: tuple[str, ...] = ("page", "page_size", "changed_since", "cursor")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # answered 405 by the dispatch
        if "format" in request.query_params and request.query_params["format"] not in (
            "json",
            "csv",
        ):
            raise BadParameter("format", "must be json or csv")
        for name in self.typed:
            if name in request.query_params and not request.query_params[name].strip():
                raise BadParameter(name, "must not be empty: leave it out instead")


class Indicators(Endpoint):
    """Indicators the token's person may read, by code."""

    columns = list(serializers.IndicatorRow().fields)

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, CSV_PARAMETER],
        responses=answers(serializers.page_of(serializers.IndicatorRow, "IndicatorPage")),
    )
    def get(self, request: Request) -> Response:
        indicators = (
            Indicator.objects.readable_by(request.user)
            .select_related("team")
            .order_by("code", "id")
        )
        rows = [
            {
                "code": indicator.code,
                "title": indicator.title,
                "team": indicator.team.name if indicator.team_id else None,
                "kind": indicator.kind,
                "perspective": indicator.perspective,
                "polarity": indicator.polarity,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "frequency": indicator.frequency,
                "aggregation": indicator.aggregation,
                "year_to_date": indicator.year_to_date,
            }
            for indicator in indicators
        ]
        return paginated(request, rows)


class Status(Endpoint):
    """`indicator_status` for a period: the command's rows and digits, for readable indicators."""

    columns = list(STATUS_COLUMNS)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                str,
                required=True,
                pattern=PERIOD_PATTERN,
                description="2025/26, 2025/26 Q2 or 2025-07.",
            ),
            *PAGE_PARAMETERS,
            CSV_PARAMETER,
        ],
        responses=answers(serializers.page_of(serializers.StatusRow, "StatusPage")),
    )
    def get(self, request: Request) -> Response:
        period = _period(request)
        readable = set(Indicator.objects.readable_by(request.user).values_list("id", flat=True))
        rows = [
            {
                column: (_decimal(row[column]) if column in NUMBER_COLUMNS else row[column])
                for column in STATUS_COLUMNS
            }
            for indicator_id, row in shared_status_rows(period)
            if indicator_id in readable
        ]
        return paginated(request, rows)


def _since(request: Request) -> dt.datetime | None:
    raw = (request.query_params.get("changed_since") or "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))
        if moment is None and (day := parse_date(raw)) is not None:
            moment = dt.datetime.combine(day, dt.time())
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(
            "changed_since", "must be an ISO 8601 date or time, e.g. 2025-10-01T00:00:00Z"
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 (Schemathesis sent -23:46).
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise BadParameter("changed_since", "is outside the dates this API can compare") from None


def _cursor(raw: str) -> tuple[dt.datetime, int]:
    moment, _, pk = raw.partition("~")
    try:
        parsed = parse_datetime(moment)
        if parsed is None or not pk.isdigit() or timezone.is_naive(parsed):
            raise ValueError(moment)
        return parsed.astimezone(dt.UTC), int(pk)
    except (OverflowError, ValueError):
        raise BadParameter("cursor", "is not one this API gave; start again without it") from None


class Values(Endpoint):
    """Activated values, oldest activation first: `changed_since` for incremental refresh.

    Keyset pages (`cursor`), so a walk neither repeats nor skips a row when values are activated
    during it. A value re-opened for correction leaves the list until it is activated again.
    """

    columns = list(serializers.ValueRow().fields)

    @extend_schema(
        operation_id="values_list",
        parameters=[
            OpenApiParameter("indicator", str, description="An indicator code."),
            OpenApiParameter(
                "changed_since",
                OpenApiTypes.DATETIME,
                description="Only values activated at or after this time (ISO 8601).",
            ),
            OpenApiParameter("cursor", str, description="From `next`; do not build it."),
            OpenApiParameter("page_size", int, description=f"At most {MAX_PAGE_SIZE}."),
            CSV_PARAMETER,
        ],
        responses=answers(serializers.page_of(serializers.ValueRow, "ValuePage")),
    )
    def get(self, request: Request) -> Response:
        size = _page_size(request)
        values = Value.objects.readable_by(request.user).filter(activated_at__isnull=False)
        code = (request.query_params.get("indicator") or "").strip()
        if code:
            if not Indicator.objects.readable_by(request.user).filter(code=code).exists():
                raise exceptions.NotFound(f"No indicator {code!r} that you may read.")
            values = values.filter(indicator__code=code)
        since = _since(request)
        if since is not None:
            values = values.filter(activated_at__gte=since)
        raw_cursor = request.query_params.get("cursor")
        if raw_cursor:
            moment, pk = _cursor(raw_cursor)
            values = values.filter(Q(activated_at__gt=moment) | Q(activated_at=moment, pk__gt=pk))
        page = list(values.select_related("indicator").order_by("activated_at", "id")[: size + 1])
        rows = [
            {
                "indicator": value.indicator.code,
                "period": value.period,
                "period_start": value.period_start,
                "value": _exact(value.value),
                "numerator": _exact(value.numerator),
                "denominator": _exact(value.denominator),
                "activated_at": value.activated_at,
            }
            for value in page[:size]
        ]
        next_url = None
        if len(page) > size:
            last = page[size - 1]
            assert last.activated_at is not None
            next_url = _link(request, cursor=f"{last.activated_at.isoformat()}~{last.pk}")
        return _listing(request, rows, next_url)

    @extend_schema(
        operation_id="values_submit",
        request=serializers.ValuesPost,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Repeat a request safely: a key already used answers as before.",
            )
        ],
        responses={**answers(serializers.ValuesSaved), 422: serializers.ValuesRefused},
    )
    def post(self, request: Request) -> Response:
        token = request.auth
        if not getattr(token, "can_write", False):
            raise exceptions.PermissionDenied(
                "This token is read-only; make one with write access to submit values."
            )
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > 255:
            raise BadParameter("Idempotency-Key", "must be 255 characters or fewer")
        if not key:
            return _submit(request)
        body_digest = hashlib.sha256(request.body).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # Taken first: a concurrent repeat waits here for this one's answer.
                    claim = ApiIdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        request_digest=body_digest,
                        status_code=0,
                        body="",
                    )
            except IntegrityError:
                claim = None
            if claim is None:
                first = ApiIdempotencyKey.objects.get(user=request.user, key=key)
                if first.request_digest != body_digest:
                    # A 422 like every refusal of this endpoint: {"errors": [...], "saved": 0}.
                    return Response(
                        {
                            "errors": [
                                _error(
                                    0,
                                    "Idempotency-Key",
                                    "This key was used for a different request; use a new key "
                                    "for new values.",
                                )
                            ],
                            "saved": 0,
                        },
                        status=422,
                    )
                replay = Response(json.loads(first.body), status=first.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = _submit(request)
            claim.status_code = response.status_code
            claim.body = json.dumps(response.data, default=str)
            claim.save(update_fields=["status_code", "body"])
            return response


def _exact(number: Decimal | None) -> Decimal | None:
    """A stored figure as entered: 57.500000 → 57.5 (the column keeps six places)."""
    if number is None:
        return None
    normal = number.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


ENTRY_FIELDS = (
    "indicator",
    "period",
    "version",
    "value",
    "numerator",
    "denominator",
    "comment",
    "forecast",
    "forecast_comment",
)


def _submit(request: Request) -> Response:
    """Check the body's shape, then the upload's checks and all-or-nothing save."""
    body = request.data
    if not isinstance(body, dict):
        raise BadParameter("body", "must be a JSON object with a list “values”")
    submit = body.get("submit", True)
    if not isinstance(submit, bool):
        raise BadParameter("submit", "must be true or false")
    entries = body.get("values")
    if not isinstance(entries, list) or not entries:
        raise BadParameter("values", "must be a list of at least one value")
    if len(entries) > MAX_VALUES_PER_POST:
        raise BadParameter("values", f"must hold at most {MAX_VALUES_PER_POST} values")
    errors: list[dict[str, Any]] = []
    rows: list[dict[str, object]] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            errors.append(_error(number, "values", "must be an object"))
            continue
        unknown = sorted(set(entry) - set(ENTRY_FIELDS))
        if unknown:
            errors.append(_error(number, unknown[0], "is not a field of a value"))
        code = entry.get("indicator")
        if not isinstance(code, str) or not code.strip():
            errors.append(_error(number, "indicator", "must be an indicator code"))
        label = entry.get("period")
        try:
            label = str(periods.parse(str(label))) if isinstance(label, str) else None
        except periods.PeriodError as error:
            errors.append(_error(number, "period", str(error)))
            label = None
        else:
            if label is None:
                errors.append(_error(number, "period", "must be a period, e.g. 2025/26 Q2"))
        version = entry.get("version", 0)
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            errors.append(_error(number, "version", "must be a whole number, 0 for a new value"))
        for name in ("value", "numerator", "denominator", "forecast"):
            figure = entry.get(name)
            if figure is not None and (
                isinstance(figure, bool) or not isinstance(figure, int | Decimal | str)
            ):
                errors.append(_error(number, name, "must be a number"))
        for name in ("comment", "forecast_comment"):
            if entry.get(name) is not None and not isinstance(entry.get(name), str):
                errors.append(_error(number, name, "must be text"))
        rows.append(
            {
                "indicator": (code or "").strip() if isinstance(code, str) else "",
                "period": label or "",
                "version": version if isinstance(version, int) else 0,
                **{name: entry.get(name) for name in ("value", "numerator", "denominator")},
                "comment": entry.get("comment") or "",
                # The year-end forecast (issue 20): a row without it keeps the stored one.
                **{
                    name: entry.get(name) or ""
                    for name in ("forecast", "forecast_comment")
                    if name in entry
                },
            }
        )
    if errors:
        return Response({"errors": errors, "saved": 0}, status=422)
    token = request.auth
    try:
        with audit.via(services.channel(token)):
            result = upload.save_rows(
                user=request.user,
                rows=rows,
                submit=submit,
                source="API",  # `audit.via` adds which token
            )
    except upload.UploadRefused as refused:
        raise exceptions.PermissionDenied(refused.message) from None
    if result.errors:
        field_of = {letter: name for name, letter in upload.LETTER.items()}
        return Response(
            {
                "errors": [
                    _error(
                        error.row,
                        field_of.get(error.cell.rstrip("0123456789"), "values"),
                        error.message,
                    )
                    for error in result.errors
                ],
                "saved": 0,
            },
            status=422,
        )
    return Response(
        {"saved": result.saved, "skipped": result.skipped, "submitted": submit},
        status=status.HTTP_200_OK,
    )


def _error(row: int, field: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": field, "message": message}


class LeagueTable(Endpoint):
    """The Reach the Summit table of a quarter: the `league_table` columns."""

    columns = list(league_exports.COLUMNS)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarter",
                str,
                required=True,
                pattern=QUARTER_PATTERN,
                description="e.g. 2025/26 Q2.",
            ),
            *PAGE_PARAMETERS,
            CSV_PARAMETER,
        ],
        responses=answers(serializers.page_of(serializers.LeagueRow, "LeaguePage")),
    )
    def get(self, request: Request) -> Response:
        raw = (request.query_params.get("quarter") or "").strip()
        if not raw:
            raise BadParameter("quarter", "is required, e.g. 2025/26 Q2")
        try:
            period = league_selectors.parse_quarter(raw)
        except periods.PeriodError as error:
            raise BadParameter("quarter", str(error)) from None
        try:
            table = league_selectors.league_table(period)
        except periods.PeriodError as error:  # e.g. a quarter whose year before is unsupported
            raise BadParameter("quarter", str(error)) from None
        rows = []
        for row in table.rows:
            record = league_exports.record(row)
            rows.append(
                {
                    **record,
                    "improvements": Decimal(str(record["improvements"])),
                    "score": Decimal(str(record["score"])),
                }
            )
        return paginated(request, rows)


class BenchmarkPosition(Endpoint):
    """Our position in a comparator group: one `benchmark_position` row."""

    columns = list(POSITION_COLUMNS)

    @extend_schema(
        parameters=[
            OpenApiParameter("measure", str, required=True, pattern=r"\S"),
            OpenApiParameter("group", str, required=True, pattern=r"\S"),
            OpenApiParameter("period", str, required=True, pattern=PERIOD_PATTERN),
            OpenApiParameter("authority", str, description="Default: the council's own code."),
            CSV_PARAMETER,
        ],
        responses=answers(serializers.page_of(serializers.PositionRow, "PositionPage")),
    )
    def get(self, request: Request) -> Response:
        params = {
            name: (request.query_params.get(name) or "").strip()
            for name in ("measure", "group", "period")
        }
        for name, given in params.items():
            if not given:
                raise BadParameter(name, "is required")
        try:
            row = position_row(
                **params, authority=(request.query_params.get("authority") or "").strip() or None
            )
        except PositionError as error:
            raise BadParameter(error.field, error.message) from None
        return _listing(request, [row], None)


class Risks(Endpoint):
    """Open risks the token's person may read (`Risk.objects.readable_by`): the `risk_register`
    columns with the command's texts and digits, by reference; `register` narrows to one."""

    columns = list(risk_selectors.REGISTER_COLUMNS)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "register",
                str,
                enum=[register.value for register in risk_exports.REGISTERS],
                description="Only the risks of this register.",
            ),
            *PAGE_PARAMETERS,
            CSV_PARAMETER,
        ],
        responses=answers(serializers.page_of(serializers.RiskRow, "RiskPage")),
    )
    def get(self, request: Request) -> Response:
        register = (request.query_params.get("register") or "").strip()
        known = [r.value for r in risk_exports.REGISTERS]
        if "register" in request.query_params and register not in known:
            raise BadParameter("register", f"must be one of {', '.join(known)}")
        risk_services.sync_kri_alerts()  # as the command does: alerts follow the values
        rows = risk_selectors.register_rows(user=request.user, register=register)
        return paginated(request, risk_exports.as_objects([row.as_record() for row in rows]))


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ETag on every successful GET, 304 when `If-None-Match` names it; never stored by a cache
    in between (private), always revalidated (no-cache)."""

    @functools.wraps(view)  # keeps `cls`, so the schema generator still finds the view
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Accept"])
        response["Cache-Control"] = "private, no-cache"
        if request.method != "GET" or response.status_code != 200:
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        tag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = tag
        asked = request.headers.get("If-None-Match", "")
        if tag in [part.strip().removeprefix("W/") for part in asked.split(",")] or asked == "*":
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


ENDPOINTS = (
    "indicators",
    "status",
    "values",
    "league-table",
    "benchmark-position",
    "risks",
    "schema",
)


class Root(Endpoint):
    """What this API offers: its endpoints and its schema."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        base = request.build_absolute_uri("/api/v1/")
        return Response({"endpoints": {name: base + name for name in ENDPOINTS}})

"""JSON with exact decimals and CSV with the same rows (SPEC §15).

Numbers are Decimals in the views and are written with exactly their digits (`99.17`, never
`99.170000` or `99.16999…`), as JSON numbers; CSV cells hold the same digits, and text cells are
neutralised against formulas like every other export (performance.common.spreadsheets).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from rest_framework import renderers

from performance.common import spreadsheets


def number(value: Decimal) -> str:
    """Plain digits: no exponent, no trailing zeros beyond what was given, never "-0"."""
    text = format(value, "f")
    return "0" if value == 0 and text.startswith("-") else text


def dumps(data: Any) -> str:
    """JSON with Decimals as numbers carrying exactly their digits."""
    if isinstance(data, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {dumps(v)}" for k, v in data.items()) + "}"
    if isinstance(data, list | tuple):
        return "[" + ", ".join(dumps(item) for item in data) + "]"
    if isinstance(data, Decimal):
        return number(data)
    if isinstance(data, dt.datetime | dt.date):
        return json.dumps(data.isoformat())
    return json.dumps(data, ensure_ascii=False)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(spreadsheets.csv_text(str(value)))


class ExactJSON(renderers.BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return dumps(data).encode("utf-8")


class Csv(renderers.BaseRenderer):
    """The `results` of a list as CSV, columns as the view names them; an error as one cell."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "columns", None)
        if isinstance(data, dict) and "results" in data and columns:
            writer.writerow(columns)
            for row in data["results"]:
                writer.writerow([cell(row.get(column)) for column in columns])
        else:
            writer.writerow(["error"])
            detail = data.get("detail", data) if isinstance(data, dict) else data
            writer.writerow([cell(dumps(detail) if not isinstance(detail, str) else detail)])
        return out.getvalue().encode("utf-8")

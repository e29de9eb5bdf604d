"""Cells of report tables: status and direction as icon + word, numbers rounded for reading."""

from __future__ import annotations

import re

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from performance.common.pdf import svg_data_url
from performance.reports import glossary
from performance.reports.data import (
    Column,
    Report,
    Table,
    cell_text,
    column_widths,
    heat_rating_text,
    icon_of,
)

register = template.Library()


def _indicator_url(row: dict) -> str:
    indicator_id = row.get("indicator_id")
    if not indicator_id:
        return ""
    try:
        return reverse("performance:indicator-detail", args=[indicator_id])
    except NoReverseMatch:
        return ""


@register.simple_tag
def report_cell(column: Column, row: dict, header_key: str = "", links: bool = False):
    """One `<td>` (or `<th scope="row">` for the row's header column) of a report table."""
    text = cell_text(column, row)
    classes = ["govuk-table__cell" if column.key != header_key else "govuk-table__header"]
    if column.numeric:
        classes.append("govuk-table__cell--numeric")
    if column.kind == "heat":
        # A heat-map cell: the count, and the cell's rating as a word (never colour alone).
        code = row.get(f"{column.key}_rating") or "none"
        classes.append(f"report-heat report-heat--{code}")
        if not row.get(column.key):
            classes.append("report-heat--empty")
        inner = format_html(
            '<span class="report-heat__count">{}</span> <span class="report-heat__rating">{}</span>',
            row.get(column.key) or 0,
            heat_rating_text(column, row),
        )
    elif column.kind in ("status", "direction", "rating"):
        raw = row.get(column.key) or "none"
        icon = icon_of(column, row)
        inner = format_html(
            '<span class="report-{} report-{}--{}">{}{}</span>',
            column.kind,
            column.kind,
            raw,
            format_html('<span class="report-icon" aria-hidden="true">{}</span> ', icon)
            if icon
            else "",
            text,
        )
    elif links and column.key == "indicator" and _indicator_url(row):
        inner = format_html('<a class="govuk-link" href="{}">{}</a>', _indicator_url(row), text)
    else:
        inner = text
    if column.key == header_key:
        return format_html('<th scope="row" class="{}">{}</th>', " ".join(classes), inner)
    return format_html('<td class="{}">{}</td>', " ".join(classes), inner)


# Tables whose column widths print.css sets itself (tuned by hand for their many columns).
_WIDTHS_IN_CSS = frozenset({"risk-corporate-table", "red-kpis-table"})


@register.simple_tag
def report_colgroup(table: Table):
    """The printed table's column widths (`data.column_widths`) as a `<colgroup>`, for the PDF's
    fixed table layout (issue 21); nothing for a table whose widths print.css sets. Print only:
    WeasyPrint reads the `style`, no browser is sent it (the page's CSP forbids inline styles)."""
    if table.id in _WIDTHS_IN_CSS:
        return ""
    cols = "".join(format_html('<col style="width: {}%">', width) for width in column_widths(table))
    return mark_safe(f"<colgroup>{cols}</colgroup>")


@register.simple_tag
def status_badge(code: str):
    column = Column("status", "Status", "status")
    row = {"status": code}
    return format_html(
        '<strong class="report-status report-status--{}"><span class="report-icon" aria-hidden="true">{}</span> {}</strong>',
        code or "none",
        icon_of(column, row),
        cell_text(column, row),
    )


@register.simple_tag
def direction_text(code: str):
    column = Column("d", "Direction", "direction")
    row = {"d": code}
    icon = icon_of(column, row)
    return format_html(
        "{}{}",
        format_html('<span class="report-icon" aria-hidden="true">{}</span> ', icon)
        if icon
        else "",
        cell_text(column, row),
    )


@register.filter
def svg(markup: str):
    """A chart's SVG, made by performance.core.charts (which escapes every text it writes)."""
    return mark_safe(markup)


_INNER_TITLE = re.compile(r"<title>[^<]*</title>")


@register.filter
def print_svg(markup: str):
    """A chart's SVG for the PDF: without the tooltips of its points (a `<title>` in each), which
    paper cannot show and WeasyPrint would parse by the thousand. The chart's own `<title
    id=…>` (its accessible name) is kept."""
    return mark_safe(_INNER_TITLE.sub("", markup))


_DESC = re.compile(r'(<desc id="[^"]*">)[^<]*(</desc>)')


@register.filter
def described_svg(markup: str, words: str):
    """A chart's SVG for the page with `words` (the chart's text alternative, the same as the
    PDF's, issue 22) as its `<desc>`, which the SVG's `aria-labelledby` names."""
    return mark_safe(_DESC.sub(lambda m: f"{m[1]}{escape(words)}{m[2]}", markup, count=1))


@register.filter
def svg_image(markup: str) -> str:
    """A chart's print SVG as a data URL for an `<img>`: WeasyPrint tags an `<img>` as a Figure
    with its `alt` as the alternative text, and an inline `<svg>` as nothing (issue 22)."""
    return svg_data_url(_INNER_TITLE.sub("", markup))


@register.simple_tag
def report_glossary(report: Report) -> list[glossary.Term]:
    """The glossary terms `report` uses (its glossary page, issue 19)."""
    return glossary.used_terms(report)

"""League table exports (SPEC §7, §11, §12): rows in, text or bytes out, no queries.

`league_table` columns are exactly `rank, team, customer, financial, process, learning,
improvements, late_complaints, score, award`; levels are written `summit|firstbase|basecamp|
no_data` and the award `top|runner_up|` (empty). Numbers are plain decimals without trailing
zeros and with an ASCII minus, so a spreadsheet reads them as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from performance.common import pdf, spreadsheets
from performance.common.pdf import static_only
from reach_summit.calculations import Award, TieBreak
from reach_summit.selectors import Table, TableRow

COLUMNS = [
    "rank",
    "team",
    "customer",
    "financial",
    "process",
    "learning",
    "improvements",
    "late_complaints",
    "score",
    "award",
]
POSTER_CSS = Path(__file__).resolve().parent.parent / "templates" / "reach_summit" / "reports"


def plain_number(value: Decimal) -> str:
    """6.5, 3, -0.25 (ASCII minus, no exponent, never -0)."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def record(row: TableRow) -> dict[str, str | int]:
    return {
        "rank": row.rank,
        "team": row.team_name,
        "customer": row.customer.value,
        "financial": row.financial.value,
        "process": row.process.value,
        "learning": row.learning.value,
        "improvements": plain_number(row.improvements),
        "late_complaints": row.late_complaints,
        "score": plain_number(row.score),
        "award": row.award.value,
    }


def as_csv(rows: Sequence[TableRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        # A team name "=…" is quoted; the numbers stay numbers (issue 14).
        writer.writerow({**record(row), "team": spreadsheets.csv_text(row.team_name)})
    return out.getvalue()


def as_json(table: Table) -> str:
    return json.dumps(
        {
            "quarter": str(table.period),
            "provisional": table.provisional,
            "rows": [record(row) for row in table.rows],
        },
        indent=2,
        ensure_ascii=False,
    )


def as_text_table(table: Table) -> str:
    """A fixed-width table for a terminal."""
    records = [record(row) for row in table.rows]
    widths = {c: max([len(c), *(len(str(r[c])) for r in records)]) for c in COLUMNS}
    numeric = {"rank", "improvements", "late_complaints", "score"}

    def line(values: dict) -> str:
        cells = [
            str(values[c]).rjust(widths[c]) if c in numeric else str(values[c]).ljust(widths[c])
            for c in COLUMNS
        ]
        return "  ".join(cells).rstrip()

    state = "provisional" if table.provisional else "frozen"
    lines = [f"Reach the Summit {table.period} ({state})", line({c: c for c in COLUMNS})]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    lines.extend(line(r) for r in records)
    return "\n".join(lines) + "\n"


def as_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook: a cover sheet ("About": the quarter, how points are
    scored and the list of sheets), then the league table, the export columns with the levels
    in words, its header row a defined table, frozen and printed on every page (issue 22)."""
    from openpyxl import Workbook  # noqa: PLC0415 (heavy; loaded only for an export)
    from openpyxl.styles import Font  # noqa: PLC0415 (as above)

    bold = Font(bold=True)
    book = Workbook()
    notes = book.active
    notes.title = "About"
    name = f"League table {str(table.period).replace('/', '-')}"
    notes.append([f"Reach the Summit {table.period}"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(["Quarter", str(table.period)])
    notes.append(["Status", "Provisional (window open)" if table.provisional else "Frozen"])
    notes.append(["Points", "Summit 3, Firstbase 1, Basecamp 0, No data -0.25"])
    notes.append(["Deductions", "-0.25 per late complaint that fell due in the quarter"])
    notes.append([])
    notes.append(["Sheet", "What it holds"])
    for cell in notes[notes.max_row]:
        cell.font = bold
    notes.append(["About", "This page: the quarter, how points are scored, the sheets"])
    notes.append([name, f"The team league table for {table.period}, one row per team"])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 60
    sheet = book.create_sheet(name)
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = bold
    for row in table.rows:
        values = record(row)
        values["improvements"] = float(row.improvements)
        values["score"] = float(row.score)
        sheet.append(spreadsheets.row(sheet, [values[c] for c in COLUMNS]))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    spreadsheets.define_table(sheet, header_row=1, headers=COLUMNS, rows=len(table.rows))
    for letter, width in zip("ABCDEFGHIJ", (6, 34, 11, 11, 11, 11, 13, 16, 8, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _winners(rows: Sequence[TableRow]) -> str:
    return " and ".join(r.team_name for r in rows)


def newsletter(table: Table) -> str:
    """A short staff-newsletter item in plain text."""
    lines = [f"Reach the Summit: {table.period} results", ""]
    if not table.rows:
        return "\n".join([*lines, "No team was scored this quarter."]) + "\n"
    if table.provisional:
        lines += ["These results are provisional until the collection window closes.", ""]
    top = table.top
    if top:
        joint = "Joint Top Teams" if len(top) > 1 else "Top Team"
        lines.append(
            f"{joint}: congratulations to {_winners(top)}, with "
            f"{plain_number(top[0].score)} points."
        )
        if table.top_decided_by not in (None, TieBreak.SCORE):
            lines.append(f"({table.top_decided_by.label.capitalize()}.)")
    runners = table.runners_up
    if runners:
        average = runners[0].explanation.get("average", "")
        lines.append(
            f"Runner-up: {_winners(runners)}, with the best average league position"
            + (f" ({average})" if average else "")
            + " over the last four quarters."
        )
    lines += ["", "The top five:"]
    for row in table.rows[:5]:
        lines.append(f"  {row.rank}. {row.team_name}: {plain_number(row.score)} points")
    lines += [
        "",
        "Teams score 3 points for each scorecard measure at Summit (on target), 1 at "
        "Firstbase, 0 at Basecamp and -0.25 for No data, plus approved improvements, less "
        "0.25 for each late complaint. Ask the Policy & Performance team how your score was "
        "worked out.",
    ]
    return "\n".join(lines) + "\n"


def poster_pdf(table: Table, *, council_name: str | None = None) -> bytes:
    """The notice-board poster: A4 landscape, rendered by WeasyPrint."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 (heavy: Pango and fonts, loaded per PDF)

    html = render_to_string(
        "reach_summit/reports/poster.html",
        {
            "table": table,
            "rows": table.rows[:10],
            "council_name": council_name or settings.COUNCIL_NAME,
            "award_top": Award.TOP,
        },
    )
    # Only our static files may be read while laying out (issue 14): see performance.common.pdf.
    css = CSS(string=(POSTER_CSS / "poster.css").read_text(), url_fetcher=static_only)
    document = HTML(string=html, url_fetcher=static_only).render(stylesheets=[css])
    return pdf.write(document)  # tagged PDF/UA-1 (issue 22)

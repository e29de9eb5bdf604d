"""What a report is made of, as plain data (pure: no Django import).

Every report kind is gathered by a selector into one `Report`: sections holding tables, charts
(SVG strings) and "spotlights" (a Red or Amber indicator with its comment and action plan).
The same `Report` feeds the HTML page, the PDF (the same template through WeasyPrint), the
Excel workbook (one sheet per table) and, when published, the frozen snapshot: `to_json()` /
`Report.from_json()` round-trip it exactly, so a public page renders from the snapshot with
the very template the live page uses.

Numbers are kept as text of the exact Decimal ("95.5"), never floats, so a snapshot keeps the
value as activated; rounding to the indicator's decimals happens only when a cell is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from performance.core import periods, symbols
from performance.core.calculations import round_to
from performance.core.charts import format_value
from performance.core.periods import Frequency, Period

SCHEMA = 1


class Kind(StrEnum):
    """Report kinds of `render_report` (SPEC §11)."""

    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    COMPLAINTS = "complaints"
    STRATEGIC_ACTIONS = "strategic-actions"
    DATA_QUALITY = "data-quality"
    REACH_THE_SUMMIT = "reach-the-summit"
    BENCHMARKING = "benchmarking"
    RISK = "risk"
    ANNUAL = "annual"

    @property
    def title(self) -> str:
        return _KIND_TITLES[self]

    @property
    def template(self) -> str:
        return f"reports/{self.value.replace('-', '_')}.html"

    @property
    def frequency(self) -> Frequency:
        """The kind of period the report is for: a month for the monthly report, a financial
        year for the annual report, else a quarter."""
        if self is Kind.MONTHLY:
            return Frequency.MONTHLY
        return Frequency.ANNUAL if self is Kind.ANNUAL else Frequency.QUARTERLY

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(kind.value, kind.title) for kind in cls]


_KIND_TITLES = {
    Kind.QUARTERLY: "Quarterly performance report",
    Kind.MONTHLY: "Monthly operational report",
    Kind.COMPLAINTS: "Quarterly complaints report",
    Kind.STRATEGIC_ACTIONS: "Strategic actions report",
    Kind.DATA_QUALITY: "Data quality report",
    Kind.REACH_THE_SUMMIT: "Reach the Summit report",
    Kind.BENCHMARKING: "Benchmarking report",
    Kind.RISK: "Risk management report",
    Kind.ANNUAL: "Annual performance report",
}


class Audience(StrEnum):
    MT = "mt"
    CABINET = "cabinet"
    SCRUTINY = "scrutiny"

    @property
    def label(self) -> str:
        return _AUDIENCE_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(audience.value, audience.label) for audience in cls]


_AUDIENCE_LABELS = {
    Audience.MT: "Management Team",
    Audience.CABINET: "Cabinet",
    Audience.SCRUTINY: "Overview & Scrutiny",
}


class BadArgument(ValueError):
    """A kind, period or audience that is not one: the message names the field and the text."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def parse_kind(text: str) -> Kind:
    try:
        return Kind((text or "").strip().lower())
    except ValueError:
        raise BadArgument(
            "kind",
            f"“{text}” is not a report kind: choose one of {', '.join(k.value for k in Kind)}",
        ) from None


def parse_audience(text: str | None) -> Audience:
    if text is None or not text.strip():
        return Audience.MT
    try:
        return Audience(text.strip().lower())
    except ValueError:
        raise BadArgument(
            "audience",
            f"“{text}” is not an audience: choose one of {', '.join(a.value for a in Audience)}",
        ) from None


# How a message names each kind of period, with an example.
_PERIOD_WORDS = {
    Frequency.MONTHLY: ("a month", "2024-07"),
    Frequency.QUARTERLY: ("a quarter", "2024/25 Q1"),
    Frequency.ANNUAL: ("a financial year", "2024/25"),
}


def parse_period(kind: Kind, text: str) -> Period:
    """The report's period: a month (`2024-07`) for the monthly report, a financial year
    (`2024/25`) for the annual report, else a quarter.

    The strategic actions report is bi-annual: its period is the quarter ending the half-year
    (Q2, reported on 1 October; Q4, reported on 1 April).
    """
    wanted = kind.frequency
    word, example = _PERIOD_WORDS[wanted]
    try:
        period = periods.parse(text or "")
    except periods.PeriodError:
        raise BadArgument(
            "period", f"“{text}” is not a period: write {word} like {example}"
        ) from None
    if period.kind is not wanted:
        raise BadArgument(
            "period",
            f"The {kind.title.lower()} is for {word} like {example}, not “{text}”",
        )
    if kind is Kind.STRATEGIC_ACTIONS and period.quarter_number not in (2, 4):
        raise BadArgument(
            "period",
            f"Strategic actions are reported twice a year, at Q2 (1 October) and Q4 (1 April): "
            f"“{text}” is {period}",
        )
    return period


def period_slug(period: str) -> str:
    """URL and file-name form: `2024/25 Q1` → `2024-25-q1`."""
    return period.replace("/", "-").replace(" ", "-").lower()


def period_from_slug(slug: str) -> str:
    """Inverse of `period_slug` for quarters (`2024-25-q1`); months (`2024-07`) pass through."""
    text = (slug or "").strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[8] in "qQ":
        return f"{text[:4]}/{text[5:7]} {text[8:].upper()}"
    return text


# --- the parts of a report ----------------------------------------------------------------------

# (shape, word) from the registry of symbols (`performance.core.symbols`, issue 19).
STATUS_WORDS = {
    code: (symbols.char("status", code), symbols.short("status", code))
    for code in ("green", "amber", "red", "no_data", "none")
}
DIRECTION_WORDS = {
    code: (symbols.char("direction", code), symbols.short("direction", code))
    for code in ("improving", "deteriorating", "stable", "none")
}
# Risk ratings (SPEC §14) in the registry's shapes and words: "▅ High".
RATING_WORDS = {
    code: (symbols.char("risk", code), symbols.short("risk", code))
    for code in ("low", "medium", "high", "very_high")
}
NUMERIC_KINDS = frozenset({"int", "number", "value", "percent"})
# Columns whose cell is a reading shown as icon + word (never colour alone).
WORDED_KINDS = {"status": STATUS_WORDS, "direction": DIRECTION_WORDS, "rating": RATING_WORDS}


@dataclass
class Column:
    """A table column. `kind`: text, int, number (plain, `decimals`), value (the row's `unit`
    and `decimals` say how), percent (0-100, `decimals`), status (RAG code), direction, date,
    rating (a risk rating code), heat (a heat-map cell: the row holds the count under `key`
    and the cell's rating code under `key + "_rating"`)."""

    key: str
    label: str
    kind: str = "text"
    decimals: int = 0

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    sheet: str = ""
    note: str = ""
    # Columns whose cell is a row header (`<th scope="row">`): the first by default.
    header_key: str = ""

    @property
    def row_header(self) -> str:
        return self.header_key or (self.columns[0].key if self.columns else "")


@dataclass
class Chart:
    """An SVG chart; `data` holds its figures (period, value, target) for the text alternative."""

    id: str
    title: str
    svg: str
    note: str = ""
    data: list[dict[str, str]] = field(default_factory=list)
    # What the chart shows in words (latest value, target, trend, SPC signals): its text
    # alternative, in the PDF (the Figure's /Alt) and on the page (the SVG's <desc>) (issue 22).
    summary: str = ""

    @property
    def alt(self) -> str:
        """The text alternative. A chart frozen before issue 22 has no summary: it is made from
        its figures (latest value and target, its SPC readings), or else the title."""
        if self.summary:
            return self.summary
        points = [p for p in self.data if p.get("value")]
        if not points:
            return f"{self.title}."
        latest = points[-1]
        words = f"{self.title}. Latest value {latest['value']} in {latest['period']}"
        if latest.get("target"):
            words += f", against a target of {latest['target']}"
        words += f"; {len(points)} periods from {points[0]['period']} ({points[0]['value']})."
        special = [p for p in points if p.get("reading", "common cause") != "common cause"]
        if special:
            words += " Special causes: " + ", ".join(
                f"{p['period']} {p['reading']}" for p in special
            )
            return words + "."
        return words + " Every point shows common-cause variation."


@dataclass
class PlanAction:
    description: str
    owner: str
    due: str
    status: str
    progress: str = ""


@dataclass
class Spotlight:
    """A Red or Amber indicator, with why (the performance comment) and what is being done."""

    indicator_id: int | None
    code: str
    title: str
    team: str
    status: str
    value: str
    target: str
    dot_previous: str
    dot_year: str
    variation: str = ""
    assurance: str = ""
    comment: str = ""
    plan_title: str = ""
    plan_version: int | None = None
    plan_status: str = ""
    actions: list[PlanAction] = field(default_factory=list)
    chart: Chart | None = None
    questions: list[str] = field(default_factory=list)


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    spotlights: list[Spotlight] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    level: int = 2
    # A section only the Excel workbook shows (say, every indicator of a long report): the
    # page and the PDF leave it out.
    workbook_only: bool = False


@dataclass
class Report:
    kind: str
    audience: str
    period: str
    title: str
    committee: str
    council: str
    generated_at: str
    sections: list[Section]
    open_data: Table
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    teams_note: str = ""
    schema: int = SCHEMA

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def audience_label(self) -> str:
        return Audience(self.audience).label

    @property
    def tables(self) -> list[Table]:
        """Every table, the workbook-only ones too (the Excel workbook's sheets)."""
        return [table for section in self.sections for table in section.tables]

    @property
    def shown_sections(self) -> list[Section]:
        """The sections of the page and the PDF."""
        return [section for section in self.sections if not section.workbook_only]

    @property
    def section_ids(self) -> list[str]:
        """The ids of the shown sections: a template asks what a report (or an older snapshot of
        it) holds before saying so."""
        return [section.id for section in self.shown_sections]

    @property
    def size(self) -> int:
        """Rows and spotlights: how heavy the PDF will be (large ones go to a worker)."""
        return sum(len(t.rows) for s in self.shown_sections for t in s.tables) + 8 * sum(
            len(s.spotlights) for s in self.sections
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        def table(raw: dict) -> Table:
            return Table(**{**raw, "columns": [Column(**c) for c in raw["columns"]]})

        def chart(raw: dict | None) -> Chart | None:
            return Chart(**raw) if raw else None

        def spotlight(raw: dict) -> Spotlight:
            return Spotlight(
                **{
                    **raw,
                    "actions": [PlanAction(**a) for a in raw.get("actions", [])],
                    "chart": chart(raw.get("chart")),
                }
            )

        sections = [
            Section(
                **{
                    **raw,
                    "tables": [table(t) for t in raw.get("tables", [])],
                    "charts": [Chart(**c) for c in raw.get("charts", [])],
                    "spotlights": [spotlight(s) for s in raw.get("spotlights", [])],
                }
            )
            for raw in data["sections"]
        ]
        return cls(**{**data, "sections": sections, "open_data": table(data["open_data"])})


# --- cells --------------------------------------------------------------------------------------


def number(text: Any) -> Decimal | None:
    """A cell's number as a Decimal (None for an empty or non-numeric cell)."""
    if text is None or text == "":
        return None
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def plain(value: Decimal | None) -> str:
    """Exact text of a Decimal for storage: no exponent, no trailing zeros; "" for None."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# An open-data row may name its derived figures (worked out, not entered) under this key: the
# open data publishes those at their decimal places and entered figures exactly as entered.
DERIVED = "derived"
# An entered figure has at most six decimal places (the database's, and the entry rules').
ENTERED_PLACES = 6


def is_derived(key: str, row: dict[str, Any], value: Decimal) -> bool:
    """Whether the figure `row[key]` was worked out rather than entered.

    A row that lists its derived figures says so. A row without the list (a snapshot published
    before rows had one, or a table whose figures are already rounded where they are worked
    out) counts a figure as derived when it has more decimal places than an entry can hold.
    """
    marked = row.get(DERIVED)
    if marked is not None:
        return key in marked
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and -exponent > ENTERED_PLACES


def published_number(column: Column, row: dict[str, Any]) -> Decimal | None:
    """A numeric cell as open data publishes it (docs/open-data.md): an entered figure exactly
    as entered, a derived one rounded half-up (as the report shows it) to its decimal places:
    the row's `decimals` for a `value` column, the column's own otherwise. None when empty."""
    value = number(row.get(column.key))
    if value is None or column.kind == "int" or not is_derived(column.key, row, value):
        return value
    places = int(row.get("decimals") or 0) if column.kind == "value" else column.decimals
    return round_to(value, places)


def cell_text(column: Column, row: dict[str, Any]) -> str:
    """A cell as a reader sees it (status and direction in words; numbers rounded)."""
    raw = row.get(column.key)
    if column.kind == "status":
        return STATUS_WORDS.get(raw or "none", ("", str(raw)))[1]
    if column.kind == "direction":
        return DIRECTION_WORDS.get(raw or "none", ("", str(raw)))[1]
    if column.kind == "rating":
        return RATING_WORDS.get(raw or "", ("", "" if raw is None else str(raw)))[1]
    if column.kind == "heat":
        return f"{raw or 0} {heat_rating_text(column, row)}".rstrip()
    if column.kind in NUMERIC_KINDS:
        value = number(raw)
        if value is None:
            return "–"
        if column.kind == "value":
            return format_value(value, int(row.get("decimals") or 0), row.get("unit") or "number")
        if column.kind == "percent":
            return format_value(value, column.decimals, "percent")
        return format_value(value, column.decimals if column.kind == "number" else 0)
    return "" if raw is None else str(raw)


def heat_rating_text(column: Column, row: dict[str, Any]) -> str:
    """The rating word of a heat-map cell ("High"), "" when the row has none."""
    code = row.get(f"{column.key}_rating") or ""
    return RATING_WORDS.get(code, ("", ""))[1]


def icon_of(column: Column, row: dict[str, Any]) -> str:
    raw = row.get(column.key) or "none"
    words = WORDED_KINDS.get(column.kind)
    return words.get(raw, ("", ""))[0] if words else ""


# Column widths of a printed table (issue 21). WeasyPrint's automatic table layout measures
# every cell's narrowest and widest width before laying anything out (a second of a council
# report's build). The PDF gives each table fixed column widths worked out here the same way
# (CSS 2.1's automatic layout: each column at least its longest word, the room left shared in
# proportion to what each would take on one line), from the text of its cells counted in
# characters, and with two changes a reader asked for: a short text (a code like "WAS3 002", a
# date) is never wrapped, and a text column is given at least 12 characters (a team name was
# printed a word a line).
_PAD = 3.2  # a cell's padding, in mm
_LINE = 180.0  # the width of a full-width table on A4, in mm
_EM = 3.0  # mm: 8.5 pt
_LONG = 60  # a long text is wrapped anyway: more than this asks for no more room
_NOWRAP = frozenset({"status", "rating"})  # print.css keeps these on one line


def _mm(text: str, bold: bool = False) -> float:
    """About how wide `text` prints at 8.5 pt (DejaVu Sans: figures and capitals are wider)."""
    ems = sum(
        0.66
        if c.isdigit() or c.isupper()
        else 0.32
        if c == " "
        else 0.4
        if not c.isalpha()
        else 0.56
        for c in text
    )
    return ems * _EM * (1.26 if bold else 1.06)  # a little over: a short text must fit


def _spread(low: list[float], high: list[float], room: float) -> list[float]:
    """Widths from `low` towards `high` sharing `room` in proportion (CSS 2.1's way)."""
    if sum(high) <= room:
        return [h * room / sum(high) for h in high] if sum(high) else high
    share = (room - sum(low)) / ((sum(high) - sum(low)) or 1)
    return [lo + (hi - lo) * share for lo, hi in zip(low, high, strict=True)]


def column_widths(table: Table) -> list[float]:
    """The share (percent, summing to 100) of the width each of `table`'s columns is given."""
    word_min: list[float] = []  # narrowest: its longest word (a short text: all of it)
    soft_min: list[float] = []  # narrowest a reader is happy with: 12 characters of a text
    most: list[float] = []  # on one line (a long text: its first 60 characters)
    for column in table.columns:
        bold = column.key == table.row_header or column.kind == "status"
        texts = []
        for row in table.rows:
            icon = icon_of(column, row)
            text = (
                heat_rating_text(column, row) if column.kind == "heat" else cell_text(column, row)
            )
            texts.append(f"{icon} {text}" if icon else text)
        label = max((_mm(w, bold=True) for w in column.label.split()), default=0.0)
        longest = max(texts, key=len, default="")
        widest = max((_mm(text[:_LONG], bold) for text in texts), default=0.0)
        if column.kind in _NOWRAP or column.numeric or len(longest) <= 11:
            word = widest
        else:
            word = max((_mm(w, bold) for text in texts for w in text.split()), default=0.0)
        word = max(word, label)
        word_min.append(word + _PAD)
        soft_min.append(max(word, min(widest, _mm("x" * 12, bold))) + _PAD)
        most.append(max(word, widest) + _PAD)
    if not most:
        return []
    if sum(soft_min) <= _LINE:
        widths = _spread(soft_min, most, _LINE)
    elif sum(word_min) <= _LINE:
        widths = _spread(word_min, soft_min, _LINE)
    else:
        widths = word_min
    total = sum(widths)
    return [round(100 * width / total, 2) for width in widths]

"""Printed tables' fixed column widths (issue 21): worked out from the cells' text."""

from performance.reports.data import Column, Table, column_widths

_COLUMNS = [
    Column("indicator", "Code"),
    Column("title", "Indicator"),
    Column("team", "Team"),
    Column("value", "Value", "value"),
    Column("status", "Status", "status"),
]


def _row(code: str, title: str, team: str) -> dict:
    return {
        "indicator": code,
        "title": title,
        "team": team,
        "value": "51.2",
        "unit": "percent",
        "decimals": 1,
        "status": "amber",
    }


def test_the_shares_add_up_and_the_long_text_gets_the_most_room():
    table = Table(
        "t",
        "T",
        _COLUMNS,
        [
            _row(
                "WAS3 002",
                "Household waste sent for reuse, recycling and composting",
                "Waste and Street Scene 3",
            )
        ],
    )
    widths = column_widths(table)
    assert abs(sum(widths) - 100) < 0.1
    assert widths[1] == max(widths)
    assert widths[1] > widths[2] > widths[3]


def test_a_code_is_given_room_for_all_of_it_when_the_table_is_crowded():
    long = "A very long indicator title that goes on and on across many words " * 3
    table = Table("t", "T", _COLUMNS, [_row("WAS3 002", long, long)])
    code_mm = column_widths(table)[0] * 180 / 100
    assert code_mm >= 20  # "WAS3 002" in bold 8.5 pt with its padding, on one line


def test_a_table_without_columns_has_no_widths():
    assert column_widths(Table("t", "T", [], [])) == []

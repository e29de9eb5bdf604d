"""Imports are all or nothing, and name every bad row (SPEC §8, §11, §12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from benchmarking import services
from benchmarking.models import Authority, BenchmarkMeasure, BenchmarkValue, ComparatorGroup
from performance.models import AuditEvent
from tests.benchmarking.helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorities():
    for code, name in [
        ("E07000110", "Maidstone"),
        ("E07000105", "Ashford"),
        ("E07000116", "Tunbridge Wells"),
    ]:
        Authority.objects.create(code=code, name=name, type=Authority.Type.SHIRE_DISTRICT)


def _state():
    return (
        list(
            BenchmarkValue.objects.order_by("id").values_list("authority__code", "period", "value")
        ),
        list(BenchmarkMeasure.objects.values_list("code", "title", "polarity")),
    )


def test_comparators_import_creates_authorities_with_types_and_sets_members():
    content = csv_bytes(
        "authority_code,authority_name",
        "E07000110,Maidstone",
        "E06000035,Medway",
        "E10000016,Kent",
    )
    result = services.import_comparators(name="g.csv", content=content, group="Kent group")
    group = ComparatorGroup.objects.get(name="Kent group")
    assert group.kind == ComparatorGroup.Kind.CUSTOM
    assert sorted(group.members.values_list("code", flat=True)) == [
        "E06000035",
        "E07000110",
        "E10000016",
    ]
    assert Authority.objects.get(code="E06000035").type == Authority.Type.UNITARY
    assert Authority.objects.get(code="E10000016").type == Authority.Type.COUNTY
    assert result.created == 3
    # A second file replaces the membership, and the change is audited.
    services.import_comparators(
        name="g2.csv",
        content=csv_bytes("authority_code,authority_name", "E07000110,Maidstone"),
        group="Kent group",
    )
    assert list(group.members.values_list("code", flat=True)) == ["E07000110"]
    assert AuditEvent.objects.filter(action="import", object_id=str(group.pk)).count() == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["E0700011,Maidstone"], "Row 3: authority code 'E0700011' is not an ONS/GSS code"),
        (
            ["E07000110,Maidstone", "E07000110,Maidstone again"],
            "Row 4: E07000110 is a duplicate of row 3",
        ),
        (["X07000110,Nowhere"], "Row 3: authority code 'X07000110'"),
        (["E07000999,"], "Row 3: authority_name is needed for the new authority E07000999"),
    ],
)
def test_bad_comparator_files_are_rejected_whole(rows, expected):
    content = csv_bytes("authority_code,authority_name", "E07000105,Ashford", *rows)
    with pytest.raises(services.ImportFailed) as failure:
        services.import_comparators(name="g.csv", content=content, group="G")
    assert any(error.startswith(expected) for error in failure.value.errors), failure.value.errors
    assert not Authority.objects.exists()
    assert not ComparatorGroup.objects.exists()


def test_benchmark_csv_import_creates_the_measure_and_values(authorities):
    content = csv_bytes(
        "authority_code,authority_name,period,value",
        "E07000110,Maidstone,2023/24,49.6",
        "E07000105,Ashford,2023/24,45.1",
        ",Tunbridge Wells,2023/24,52.2",  # by name when the code is empty
        "E07000110,Maidstone,2022/23,49.4",
    )
    result = services.import_benchmarks(
        name="rec.csv", content=content, measure="REC", title="Recycling", polarity="higher"
    )
    assert result.created == 4
    measure = BenchmarkMeasure.objects.get(code="REC")
    assert (measure.title, measure.polarity) == ("Recycling", "higher")
    assert BenchmarkValue.objects.get(authority__code="E07000116").value == Decimal("52.2")


def test_a_reimport_revises_values_and_is_audited(authorities):
    header = "authority_code,authority_name,period,value"
    services.import_benchmarks(
        name="a.csv", content=csv_bytes(header, "E07000110,,2023/24,49.6"), measure="REC"
    )
    result = services.import_benchmarks(
        name="b.csv", content=csv_bytes(header, "E07000110,,2023/24,51.1"), measure="REC"
    )
    assert (result.created, result.updated) == (0, 1)
    assert BenchmarkValue.objects.get().value == Decimal("51.1")
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert [Decimal(v) for v in event.changes["E07000110 2023/24"]] == [
        Decimal("49.6"),
        Decimal("51.1"),
    ]


def test_excel_as_gov_uk_publishes_it_title_rows_aliases_and_not_available(authorities):
    content = xlsx_bytes(
        [
            ["Table 3: Household waste recycling rate"],
            ["Source: Defra ENV18"],
            [],
            ["ONS code", "Local authority", "Financial year", "Value", "Notes"],
            ["E07000110", "Maidstone", "2023/24", 49.6, ""],
            ["E07000105", "Ashford", "2023/24", "[x]", "suppressed"],
            ["E07000116", "Tunbridge Wells", "2023/24", "1,052.5", ""],
        ]
    )
    result = services.import_benchmarks(name="table.xlsx", content=content, measure="REC")
    assert (result.created, result.skipped) == (2, 1)
    assert BenchmarkValue.objects.get(authority__code="E07000110").value == Decimal("49.6")
    assert BenchmarkValue.objects.get(authority__code="E07000116").value == Decimal("1052.5")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # Issue 18: a new code with a name is stored; without one it cannot be.
        ("E07000999,,2023/24,40", "Row 3: unknown authority E07000999"),
        (
            "E0700011,Maidstone,2023/24,40",
            "Row 3: authority code 'E0700011' is not an ONS/GSS code",
        ),
        (",Atlantis,2023/24,40", "Row 3: unknown authority 'Atlantis'"),
        ("E07000110,Maidstone,2023/24,40", "Row 3: E07000110 2023/24 is a duplicate of row 2"),
        ("E07000105,Ashford,2023/25,40", "Row 3: period: '2023/25' is not a period"),
        ("E07000105,Ashford,2023/24,forty", "Row 3: value: 'forty' is not a number"),
        ("E07000105,Ashford,2023/24,NaN", "Row 3: value: 'NaN' is not a number"),
    ],
)
def test_bad_benchmark_rows_reject_the_whole_file_and_leave_the_database_unchanged(
    authorities, row, expected
):
    header = "authority_code,authority_name,period,value"
    services.import_benchmarks(
        name="old.csv",
        content=csv_bytes(header, "E07000116,,2022/23,50"),
        measure="REC",
        title="Old",
    )
    before = _state()
    content = csv_bytes(header, "E07000110,Maidstone,2023/24,49.6", row, "E07000116,,2023/24,52.2")
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(
            name="new.csv", content=content, measure="REC", title="New title"
        )
    assert any(error.startswith(expected) for error in failure.value.errors), failure.value.errors
    assert _state() == before


def test_every_bad_row_is_listed_not_just_the_first(authorities):
    content = csv_bytes(
        "authority_code,authority_name,period,value",
        "E07000999,,2023/24,1",
        "E07000110,,2023/24,abc",
        "E07000105,,24/25,2",
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(name="bad.csv", content=content, measure="NEW")
    assert [e.split(":")[0] for e in failure.value.errors] == ["Row 2", "Row 3", "Row 4"]
    assert not BenchmarkMeasure.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("data.txt", b"a,b", "is not a .csv or .xlsx file"),
        ("data.xlsx", b"not a workbook", "is not a readable Excel"),
        ("data.csv", csv_bytes("code,name,when,amount", "x,y,z,1"), "has no header row"),
        ("data.csv", csv_bytes("authority_code,period,value"), "no data rows"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(authorities, name, content, expected):
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(name=name, content=content, measure="REC")
    assert expected in failure.value.errors[0]
    assert not BenchmarkMeasure.objects.exists()

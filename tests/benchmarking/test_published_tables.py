"""Published national tables imported as they come (issue 18, SPEC §12).

The real tables are copies of ../shared/data kept in benchmarking/demo_data (SOURCES.md says
where they come from): Defra's recycling rate of every English authority, 2015/16 to 2023/24,
and the published nearest-neighbour lists of several councils.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from benchmarking import services, tables
from benchmarking.models import Authority, BenchmarkValue, ComparatorGroup
from performance.core.roles import Role
from performance.models import AuditEvent
from tests.benchmarking.helpers import COUNCIL, csv_bytes, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "benchmarking" / "demo_data"
ENGLAND = DATA / "benchmark_household_waste_recycling_rate_england.csv"
NEIGHBOURS = DATA / "cipfa_nearest_neighbours.csv"
HART = "E07000089"


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _england() -> list[dict[str, str]]:
    with ENGLAND.open() as source:
        return list(csv.DictReader(source))


# --- Defra's table of every English authority -----------------------------------------------------


def test_defras_table_of_every_english_authority_is_imported_as_it_comes():
    # Nothing stored beforehand: no comparator group, no authority.
    out = _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING", "--title", "Recycling")

    rows = _england()
    codes = {r["ons_code"] for r in rows}
    assert len(rows) == 2555
    # Bristol 2023/24 is empty ("NA in source"): skipped, counted, not an error.
    assert BenchmarkValue.objects.count() == 2554
    assert Authority.objects.count() == len(codes)
    assert (
        f"RECYCLING: 2554 values added, 0 revised, for {len(codes)} authorities "
        f"({len(codes)} new to Summit); 1 skipped as not available; 0 refused."
    ) in out
    # The tier column is not needed: the type follows the code's prefix.
    by_prefix = Counter((a.code[:3], a.type) for a in Authority.objects.all())
    assert set(by_prefix) == {
        ("E06", Authority.Type.UNITARY),
        ("E07", Authority.Type.SHIRE_DISTRICT),
        ("E08", Authority.Type.METROPOLITAN),
        ("E09", Authority.Type.LONDON_BOROUGH),
    }
    assert Authority.objects.get(code="E06000023").name == "Bristol, City of"
    maidstone = BenchmarkValue.objects.get(authority__code=COUNCIL, period="2023/24")
    assert maidstone.value == Decimal("49.6")
    assert not BenchmarkValue.objects.filter(authority__code="E06000023", period="2023/24").exists()


def test_the_same_table_again_changes_nothing():
    _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING")
    out = _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING")
    assert "0 values added, 0 revised, 2554 unchanged" in out
    assert "(0 new to Summit)" in out
    assert BenchmarkValue.objects.count() == 2554


def test_the_council_among_its_published_nearest_neighbours_hand_checked():
    """Maidstone 2023/24 among its 15 neighbours (the list leaves Maidstone itself out).

    Values, best first: South Oxfordshire 62.9, North Hertfordshire 56.9, Colchester 54.0,
    Huntingdonshire 53.9, Chelmsford 53.4, Cherwell 53.2, Tunbridge Wells 52.2, Maidstone 49.6,
    Ashford 49.3, Braintree 48.9, Tonbridge and Malling 48.2, East Hertfordshire 44.7,
    Mid Sussex 42.3, Test Valley 38.1, West Suffolk 37.1, Basingstoke and Deane 30.0: rank 8
    of 16. QUARTILE.INC over the 16, ascending, position (n − 1)p + 1:
    Q1 at 4.75 = 42.3 + 0.75 × (44.7 − 42.3) = 44.1; median at 8.5 = (49.3 + 49.6) / 2 = 49.45;
    Q3 at 12.25 = 53.4 + 0.25 × (53.9 − 53.4) = 53.525. 49.6 ≥ median, < Q3: quartile 2.
    """
    out = _run("import_comparators", str(NEIGHBOURS), "--group", "Nearest neighbours")
    group = ComparatorGroup.objects.get(name="Nearest neighbours")
    members = set(group.members.values_list("code", flat=True))
    assert len(members) == 16
    assert COUNCIL in members
    assert "16 authorities (16 new to Summit)" in out

    _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING")
    out = _run(
        "benchmark_position",
        "--measure",
        "RECYCLING",
        "--group",
        "Nearest neighbours",
        "--period",
        "2023/24",
    )
    assert out.splitlines()[1] == (
        f"RECYCLING,Nearest neighbours,2023/24,{COUNCIL},49.6,8,16,2,44.1,49.45,53.525,0"
    )


def test_the_councils_own_figures_are_accepted_when_its_group_does_not_list_it():
    # Hart's neighbours, which do not include Maidstone (the council).
    _run("import_comparators", str(NEIGHBOURS), "--group", "Hart's neighbours", "--focus", HART)
    group = ComparatorGroup.objects.get(name="Hart's neighbours")
    assert COUNCIL not in set(group.members.values_list("code", flat=True))
    assert group.members.filter(code=HART).exists()

    content = csv_bytes(
        "authority_code,authority_name,period,value",
        f"{COUNCIL},Maidstone,2023/24,49.6",
        f"{HART},Hart,2023/24,50.1",
    )
    result = services.import_benchmarks(name="ours.csv", content=content, measure="REC")
    assert result.created == 2
    assert BenchmarkValue.objects.get(authority__code=COUNCIL).value == Decimal("49.6")


def test_a_neighbour_table_without_the_focus_authority_names_those_it_lists():
    with pytest.raises(CommandError) as error:
        _run("import_comparators", str(NEIGHBOURS), "--group", "G", "--focus", "E07000001")
    assert "lists no neighbours of E07000001" in str(error.value)
    assert HART in str(error.value)
    assert not ComparatorGroup.objects.exists()


def test_groups_choose_among_every_stored_authority_without_a_new_import():
    _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING")
    stored = Authority.objects.count()
    content = csv_bytes(
        "authority_code,authority_name", f"{COUNCIL},Maidstone", "E09000033,Westminster"
    )
    result = services.import_comparators(name="mine.csv", content=content, group="Mine")
    assert result.created == 0
    assert Authority.objects.count() == stored


# --- the layouts -----------------------------------------------------------------------------------


def test_a_wide_table_with_one_column_per_year_and_title_rows():
    content = csv_bytes(
        "Household waste recycled (%),,,,",
        "Source: LG Inform,,,,",
        "",
        "Area code,Area name,2021/22,2022/23,2023/24",
        f"{COUNCIL},Maidstone,48.9,49.2,49.6",
        "E07000105,Ashford,..,47.0,[x]",
        "E06000001,Hartlepool,30.1,c,31.4",
    )
    result = services.import_benchmarks(name="lginform.csv", content=content, measure="REC")
    assert (result.created, result.skipped, result.refused) == (6, 3, 0)
    assert Authority.objects.get(code="E06000001").type == Authority.Type.UNITARY
    assert BenchmarkValue.objects.get(authority__code="E07000105").period == "2022/23"


def test_a_wide_tables_error_names_the_row_and_the_year_column():
    content = csv_bytes(
        "ONS code,Authority,2022-23,2023-24",
        f"{COUNCIL},Maidstone,49.2,forty",
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(name="wide.csv", content=content, measure="REC")
    assert failure.value.errors == ["Row 2, column 2023-24: value: 'forty' is not a number"]
    assert not Authority.objects.exists()


def test_an_excel_download_with_extra_columns_and_notes():
    content = xlsx_bytes(
        [
            ["Table 3: household waste recycling rate"],
            [],
            ["Region", "ONS code", "Local authority", "Time period", "Rate (%)", "Notes"],
            ["South East", COUNCIL, "Maidstone", "2023-24", 49.6, ""],
            ["South East", "E07000105", "Ashford", "2023 to 2024", "..", "not collected"],
        ]
    )
    result = services.import_benchmarks(name="ons.xlsx", content=content, measure="REC")
    assert (result.created, result.skipped) == (1, 1)
    assert BenchmarkValue.objects.get().period == "2023/24"
    assert Authority.objects.filter(code="E07000105").exists()


def test_several_columns_of_figures_are_named_so_the_officer_can_choose():
    content = csv_bytes(
        "ons_code,authority,financial_year,recycled_tonnes,rate",
        f"{COUNCIL},Maidstone,2023/24,30000,49.6",
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(name="two.csv", content=content, measure="REC")
    assert "several columns of figures (recycled_tonnes, rate)" in failure.value.errors[0]


@pytest.mark.parametrize("marker", ["", "..", ":", "x", "[x]", "c", "[c]", "-", "n/a", "NA", "z"])
def test_not_available_markers_are_skipped_and_counted(marker):
    content = csv_bytes(
        "authority_code,authority_name,period,value",
        f"{COUNCIL},Maidstone,2023/24,49.6",
        f"E07000105,Ashford,2023/24,{marker}",
    )
    result = services.import_benchmarks(name="na.csv", content=content, measure="REC")
    assert (result.created, result.skipped) == (1, 1)
    assert "1 skipped as not available" in result.message
    # The authority is stored all the same, so a group can choose it.
    assert Authority.objects.filter(code="E07000105").exists()


def test_area_totals_are_refused_and_counted_not_stored():
    content = csv_bytes(
        "authority_code,authority_name,period,value",
        "E92000001,England,2023/24,41.7",
        "E12000008,South East,2023/24,44.6",
        f"{COUNCIL},Maidstone,2023/24,49.6",
    )
    result = services.import_benchmarks(name="totals.csv", content=content, measure="REC")
    assert (result.created, result.refused) == (1, 2)
    assert "2 refused as area totals, not authorities (rows 2, 3)" in result.message
    assert list(Authority.objects.values_list("code", flat=True)) == [COUNCIL]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("E06000001", Authority.Type.UNITARY),
        ("E07000110", Authority.Type.SHIRE_DISTRICT),
        ("E08000009", Authority.Type.METROPOLITAN),
        ("E09000033", Authority.Type.LONDON_BOROUGH),
        ("E10000016", Authority.Type.COUNTY),
        ("W06000015", Authority.Type.UNITARY),
        ("E47000001", Authority.Type.OTHER),
    ],
)
def test_an_authoritys_type_follows_its_code(code, kind):
    content = csv_bytes("authority_code,authority_name,period,value", f"{code},Somewhere,2023/24,1")
    services.import_benchmarks(name="one.csv", content=content, measure="REC")
    assert Authority.objects.get(code=code).type == kind


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "E0700011,Maidstone,2023/24,40",
            "Row 3: authority code 'E0700011' is not an ONS/GSS code",
        ),
        ("X07000110,Maidstone,2023/24,40", "Row 3: authority code 'X07000110' is not an ONS/GSS"),
        ("E07000999,,2023/24,40", "Row 3: unknown authority E07000999: give its name"),
    ],
)
def test_a_malformed_or_nameless_new_code_rejects_the_file_naming_the_row(row, expected):
    content = csv_bytes(
        "authority_code,authority_name,period,value", f"{COUNCIL},Maidstone,2023/24,49.6", row
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_benchmarks(name="bad.csv", content=content, measure="REC")
    assert failure.value.errors[0].startswith(expected), failure.value.errors
    assert not Authority.objects.exists()
    assert not BenchmarkValue.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-20", "2019/20"),
        ("2019/2020", "2019/20"),
        ("2019-2020", "2019/20"),
        ("2019 to 2020", "2019/20"),
        ("1999-00", "1999/00"),
        ("2019-12", "2019-12"),  # a month
        ("2019-21", "2019-21"),  # not one year: left for the period parser to refuse
        ("2024/25 Q1", "2024/25 Q1"),
    ],
)
def test_financial_years_as_tables_write_them(text, expected):
    assert tables.period_text(text) == expected


# --- groups in Manage ------------------------------------------------------------------------------


def test_manage_makes_a_group_from_any_stored_authority_audited(client):
    _run("import_benchmarks", str(ENGLAND), "--measure", "RECYCLING")
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    new = reverse("performance:manage-create", args=["comparator-groups"])
    page = client.get(new).content.decode()
    assert "Westminster" in page  # a London borough, stored by the Defra table alone
    chosen = Authority.objects.filter(code__in=["E09000033", "E08000009", "E06000001"])
    response = client.post(
        new,
        {
            "name": "Our pick",
            "kind": "custom",
            "description": "",
            "members": [a.pk for a in chosen],
        },
    )
    assert response.status_code == 302
    group = ComparatorGroup.objects.get(name="Our pick")
    assert set(group.members.values_list("code", flat=True)) == {
        "E09000033",
        "E08000009",
        "E06000001",
    }
    assert AuditEvent.objects.filter(object_id=str(group.pk), action="create").exists()
    listing = client.get(reverse("performance:manage-list", args=["comparator-groups"]))
    assert "Our pick" in listing.content.decode()
    # The council's position counts it in the group though the group does not list it.
    out = _run(
        "benchmark_position", "--measure", "RECYCLING", "--group", "Our pick", "--period", "2023/24"
    )
    assert out.splitlines()[1].split(",")[6] == "4"  # of: the three and the council

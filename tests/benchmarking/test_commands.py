"""The benchmarking commands of SPEC §11 with the columns of SPEC §12, on real published data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from benchmarking.models import BenchmarkValue, ComparatorGroup

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "benchmarking" / "demo_data"
COLUMNS = "measure,group,period,authority,value,rank,of,quartile,q1,median,q3,missing"
GROUP = "Maidstone nearest neighbours"


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def real_data(tmp_path):
    """Maidstone's Oflog neighbours and Defra's recycling rates, through the two import commands."""
    everyone = tmp_path / "districts.csv"
    with (DATA / "household_waste_recycling_rate_shire_districts.csv").open() as source:
        rows = {r["authority_code"]: r["authority_name"] for r in csv.DictReader(source)}
    everyone.write_text(
        "authority_code,authority_name\n" + "".join(f"{c},{n}\n" for c, n in rows.items())
    )
    _run("import_comparators", str(everyone), "--group", "Every district")
    _run("import_comparators", str(DATA / "maidstone_nearest_neighbours.csv"), "--group", GROUP)
    out = _run(
        "import_benchmarks",
        str(DATA / "household_waste_recycling_rate_shire_districts.csv"),
        "--measure",
        "REC",
        "--title",
        "Household recycling rate",
        "--polarity",
        "higher",
    )
    assert "1431 values added" in out


def test_real_position_of_maidstone_in_2023_24_against_its_neighbours(real_data, settings):
    settings.COUNCIL_CODE = "E07000110"
    out = _run("benchmark_position", "--measure", "REC", "--group", GROUP, "--period", "2023/24")
    lines = out.strip().splitlines()
    assert lines[0] == COLUMNS
    # Hand-worked from the 16 published 2023/24 rates (Maidstone 49.6): 7 are higher, so rank 8;
    # QUARTILE.INC positions 3.75, 7.5, 11.25 of the sorted values give
    # Q1 = 42.3 + 0.75 × (44.7 − 42.3) = 44.1, median = (49.3 + 49.6) / 2 = 49.45,
    # Q3 = 53.4 + 0.25 × (53.9 − 53.4) = 53.525; 49.6 ≥ median, < Q3 → quartile 2.
    assert lines[1] == f"REC,{GROUP},2023/24,E07000110,49.6,8,16,2,44.1,49.45,53.525,0"


def test_json_has_the_same_columns_and_numbers(real_data):
    out = _run(
        "benchmark_position",
        "--measure",
        "REC",
        "--group",
        GROUP,
        "--period",
        "2023/24",
        "--authority",
        "E07000179",
        "--format",
        "json",
    )
    [row] = json.loads(out)
    assert list(row) == COLUMNS.split(",")
    assert row["authority"] == "E07000179"  # South Oxfordshire, the group's best
    assert (row["value"], row["rank"], row["of"], row["quartile"]) == (62.9, 1, 16, 1)
    assert row["median"] == 49.45


def test_missing_members_are_counted_and_an_authority_without_a_value_gets_empty_cells(real_data):
    BenchmarkValue.objects.filter(
        authority__code__in=["E07000110", "E07000245"], period="2023/24"
    ).delete()
    out = _run("benchmark_position", "--measure", "REC", "--group", GROUP, "--period", "2023/24")
    row = dict(zip(COLUMNS.split(","), out.strip().splitlines()[1].split(","), strict=True))
    assert (row["value"], row["rank"], row["quartile"]) == ("", "", "")
    assert (row["of"], row["missing"]) == ("14", "2")
    assert row["median"] != ""


def test_the_council_is_counted_even_when_the_group_list_leaves_it_out(real_data):
    group = ComparatorGroup.objects.get(name=GROUP)
    group.members.remove(group.members.get(code="E07000110"))
    out = _run("benchmark_position", "--measure", "REC", "--group", GROUP, "--period", "2023/24")
    assert out.strip().splitlines()[1].endswith("49.6,8,16,2,44.1,49.45,53.525,0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "NOPE", "--period", "2023/24"], "--measure: no benchmark measure"),
        (["--measure", "REC", "--period", "2023/2024"], "--period: '2023/2024' is not a period"),
        (
            ["--measure", "REC", "--period", "2023/24", "--authority", "E0700011"],
            "not an ONS/GSS code",
        ),
        (
            ["--measure", "REC", "--period", "2023/24", "--authority", "E07999999"],
            "unknown authority",
        ),
    ],
)
def test_bad_arguments_fail_with_a_message_naming_the_argument(real_data, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("benchmark_position", "--group", GROUP, *args, stdout=io.StringIO())


def test_unknown_group_is_an_error(real_data):
    with pytest.raises(CommandError, match="--group: no comparator group"):
        call_command(
            "benchmark_position", "--measure", "REC", "--group", "Nobody", "--period", "2023/24"
        )


def test_import_benchmarks_command_fails_whole_with_row_numbers(real_data, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "authority_code,authority_name,period,value\n"
        "E07000110,Maidstone,2024/25,50.1\n"
        "E07000110,Maidstone,2024/25,50.2\n"
        "E07000999,,2024/25,40\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_benchmarks", str(bad), "--measure", "REC")
    assert "Row 3: E07000110 2024/25 is a duplicate of row 2" in str(error.value)
    assert "Row 4: unknown authority E07000999" in str(error.value)
    assert not BenchmarkValue.objects.filter(period="2024/25").exists()


def test_import_comparators_command_refuses_a_malformed_code(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("authority_code,authority_name\nE07000110,Maidstone\n7000110,Typo\n")
    with pytest.raises(CommandError, match="Row 3: authority code '7000110'"):
        call_command("import_comparators", str(bad), "--group", "G")
    assert not ComparatorGroup.objects.exists()

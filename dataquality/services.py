"""Writes and checks of data quality (SPEC §9): the policy and statements, validation of every
entry, rejected-entry records, evidence uploads and the policy review reminder.

The collection cycle calls these through the kernel's hooks (`performance.common.hooks`,
registered in `apps.py`): `require_signed` before a submission or an activation, `entry_problems`
(over `problems_for`) wherever a value is entered, the form, the Excel upload and the import, and
`record_rejections` / `record_import_rejections` for what they refuse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import models as auth
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from dataquality import office_files, validation
from dataquality.models import (
    Evidence,
    PolicyVersion,
    RejectedEntry,
    ReviewReminder,
    Statement,
    ValidationRule,
)
from performance.collection import rules as entry_rules
from performance.collection import services as collection
from performance.common import access, audit, cache
from performance.core import periods, spc, status
from performance.core.roles import Role
from performance.indicators import selectors
from performance.models import Indicator, Value

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# Rejected import rows per bulk insert.
BATCH = 1000
MAX_NAME = 150
# Extension → (kind, content type). The content is sniffed too: the name alone proves nothing.
ALLOWED = {
    ".pdf": ("pdf", "application/pdf"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".csv": ("csv", "text/csv"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
}
ALLOWED_LABEL = "PDF, XLSX, DOCX, CSV, PNG or JPEG"
# Where a problem is shown when the entry has no field of its own for it: the form and the
# Excel workbook have no source column, so a source problem is shown on the value.
ENTRY_FIELD = {"source": "value"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


class DataQualityError(Exception):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotSigned(collection.Refused):
    """Submission or activation refused until the person signs the current statement."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


# --- the policy and statements ----------------------------------------------------------------

ROLE_WORDS = {
    Statement.Role.ENTERER: ("data enterer", "submit values"),
    Statement.Role.MANAGER: ("data manager", "activate values"),
}


def current_policy(*, today: dt.date | None = None) -> PolicyVersion | None:
    """The newest version already in effect (its effective date reached), or None."""
    today = today or timezone.localdate()
    return PolicyVersion.objects.filter(effective_on__lte=today).order_by("-number").first()


def roles_needed(user: auth.User) -> list[str]:
    """The statement roles a person signs: by their role, or by being assigned to indicators.

    Performance officers may submit and activate, so they sign in both roles.
    """
    held = access.roles_of(user)
    officer = Role.PERFORMANCE_OFFICER in held
    needed: list[str] = []
    if officer or Role.DATA_ENTERER in held or user.entered_indicators.exists():
        needed.append(Statement.Role.ENTERER)
    if officer or Role.DATA_MANAGER in held or user.managed_indicators.exists():
        needed.append(Statement.Role.MANAGER)
    return needed


def has_signed(user: auth.User, role: str, policy: PolicyVersion | None) -> bool:
    if policy is None:
        return True
    return Statement.objects.filter(person=user, policy=policy, role=role).exists()


def require_signed(user: auth.User, role: str, *, today: dt.date | None = None) -> None:
    """Refuse (`NotSigned`, a `collection.Refused`) until `user` signed the current version.

    With no policy in effect there is nothing to sign, so nothing is refused: a new council is
    not locked out before its first policy is published.
    """
    role = Statement.Role(role)
    policy = current_policy(today=today)
    if has_signed(user, role, policy):
        return
    assert policy is not None  # with no policy in effect, there is nothing to sign
    word, action = ROLE_WORDS[role]
    url = reverse("dataquality:sign")
    raise NotSigned(
        f"You cannot {action} until you sign the data quality statement for version "
        f"{policy.number} of the data quality policy as a {word}. Sign it on the data quality "
        f"statement page ({url}).",
        url,
    )


@transaction.atomic
def sign(*, user: auth.User, role: str, policy: PolicyVersion) -> Statement:
    """Sign `policy` in `role`; signing twice keeps the first signature."""
    role = Statement.Role(role)
    if role not in roles_needed(user):
        raise DataQualityError(
            f"You do not sign as a {ROLE_WORDS[role][0]}: you hold no such role.", "role"
        )
    existing = Statement.objects.filter(person=user, policy=policy, role=role).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                person=user, policy=policy, role=role, signed_at=timezone.now()
            )
    except IntegrityError:
        return Statement.objects.get(person=user, policy=policy, role=role)
    audit.created(actor=user, instance=statement, fields=["person", "policy", "role", "signed_at"])
    return statement


@transaction.atomic
def publish_policy(
    *,
    actor: auth.User,
    title: str,
    text: str,
    effective_on: dt.date,
    review_due_on: dt.date,
    summary: str = "",
    document: UploadedFile | None = None,
) -> PolicyVersion:
    """Publish the next version. Everyone signs again once it takes effect."""
    if not text.strip() and document is None:
        raise DataQualityError("Enter the policy text or attach the policy document", "text")
    if review_due_on <= effective_on:
        raise DataQualityError(
            "The review date must be after the date the version takes effect", "review_due_on"
        )
    number = (PolicyVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion(
        number=number,
        title=title.strip() or "Data quality policy",
        text=text.strip(),
        effective_on=effective_on,
        review_due_on=review_due_on,
        summary=summary.strip(),
        published_by=actor,
    )
    if document is not None:
        data, name, kind, _ = _checked_upload(document, allowed={".pdf", ".docx"})
        version.document.save(f"{uuid.uuid4().hex}{kind}", ContentFile(data), save=False)
        version.document_name = name
    version.save()
    audit.created(
        actor=actor,
        instance=version,
        fields=["number", "title", "effective_on", "review_due_on", "summary"],
    )
    return version


# --- validation -------------------------------------------------------------------------------


def rules_for(indicator: Indicator, rule: ValidationRule | None = None) -> validation.Rules:
    """The validation rules of `indicator`; `rule` when the caller loaded it already."""
    if rule is None:
        rule = ValidationRule.objects.filter(indicator_id=indicator.pk).first()
    return validation.Rules(
        unit=indicator.unit,
        decimals=indicator.decimals,
        ratio=entry_rules.is_ratio(indicator),
        minimum=rule.minimum if rule else None,
        maximum=rule.maximum if rule else None,
        allow_over_100=rule.allow_over_100 if rule else False,
        allow_negative=rule.allow_negative if rule else False,
        whole_numbers=rule.whole_numbers if rule else False,
        numerator_not_above_denominator=rule.numerator_not_above_denominator if rule else False,
        change_threshold=rule.change_threshold if rule else None,
        polarity=indicator.polarity,
    )


def rules_of(indicators: Iterable[Indicator]) -> dict[int, validation.Rules]:
    """Rules of many indicators in one query."""
    indicators = list(indicators)
    found = {r.indicator_id: r for r in ValidationRule.objects.filter(indicator__in=indicators)}
    empty = ValidationRule()
    return {i.pk: rules_for(i, found.get(i.pk, empty)) for i in indicators}


# --- an indicator's validation settings (issue 18) ----------------------------------------------

SETTINGS = (
    "allow_negative",
    "allow_over_100",
    "whole_numbers",
    "minimum",
    "maximum",
    "change_threshold",
)


def _settings_of(rule: ValidationRule | None) -> dict[str, Any]:
    rule = rule or ValidationRule()
    return {name: getattr(rule, name) for name in SETTINGS}


def indicator_settings(indicators: Iterable[Indicator]) -> dict[int, dict[str, Any]]:
    """The INDICATOR_SETTINGS receiver: each indicator's settings (defaults when it has no rule),
    in one query."""
    indicators = list(indicators)
    found = {r.indicator_id: r for r in ValidationRule.objects.filter(indicator__in=indicators)}
    return {i.pk: _settings_of(found.get(i.pk)) for i in indicators}


@transaction.atomic
def set_indicator_settings(
    *, indicator: Indicator, settings: Mapping[str, Any], actor: Any, reason: str = ""
) -> bool:
    """The SET_INDICATOR_SETTINGS receiver: store `settings` (any of SETTINGS; those left out
    keep their value) on the indicator's validation rule, audited. Settings that are all the
    defaults create no rule. Returns whether anything changed."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown validation settings: {', '.join(sorted(unknown))}")
    rule = ValidationRule.objects.select_for_update().filter(indicator_id=indicator.pk).first()
    if rule is None:
        if settings == {k: v for k, v in _settings_of(None).items() if k in settings}:
            return False
        rule = ValidationRule(indicator=indicator, **settings)
        rule.full_clean()
        rule.save()
        audit.created(actor=actor, instance=rule, fields=list(SETTINGS), reason=reason)
        return True
    return audit.update(actor=actor, instance=rule, reason=reason, **settings) is not None


def check_indicator_settings(
    *,
    unit: str,
    decimals: int,
    polarity: str,
    settings: Mapping[str, Any],
    said_no_to_negative: bool = False,
) -> dict[str, tuple[str, str]]:
    """The CHECK_INDICATOR_SETTINGS receiver: contradictions among the settings (setting name →
    (rule code, message)), `validation.setting_problems` with the indicator's unit."""
    rules = validation.Rules(
        unit=unit,
        decimals=decimals,
        polarity=polarity,
        minimum=settings.get("minimum"),
        maximum=settings.get("maximum"),
        allow_over_100=bool(settings.get("allow_over_100")),
        allow_negative=bool(settings.get("allow_negative")),
    )
    problems: dict[str, tuple[str, str]] = {}
    for problem in validation.setting_problems(rules, said_no_to_negative=said_no_to_negative):
        problems.setdefault(problem.field, (problem.rule, problem.message))
    return problems


def history_for(
    indicator: Indicator, period: str, data: status.IndicatorData | None = None
) -> validation.History:
    """The previous activated value and the SPC limits of the history before `period`."""
    when = periods.parse(period)
    if data is None:
        data = selectors.indicator_data([indicator.pk], until=when.end)[indicator.pk]
    facts = selectors.indicator_facts(indicator)
    if facts.year_to_date:
        # Cumulative from April: compare with the same period last year, and no SPC limits.
        last_year = when.same_period_last_year()
        last = status.value_for(facts, data, last_year)
        return validation.History(
            previous=last,
            previous_period=str(last_year) if last is not None else "",
            lower_limit=None,
            upper_limit=None,
        )
    previous = when.previous()
    series = [
        (each, v)
        for each, v in status.series_up_to(facts, data, previous)
        if each.start < when.start
    ]
    rebase = [i for i, (each, _) in enumerate(series) if str(each) in data.rebase_periods]
    result = spc.analyse(
        spc.SpcInput(values=[v for _, v in series], polarity=facts.polarity, rebase_at=rebase)
    )
    last = status.value_for(facts, data, previous)
    return validation.History(
        previous=last,
        previous_period=str(previous) if last is not None else "",
        lower_limit=result.lower_limit,
        upper_limit=result.upper_limit,
    )


def flags_for(indicator: Indicator, *, source: str = "", is_proxy: bool = False) -> dict[str, Any]:
    """Third-party and proxy flags: from the indicator, or a `third party: X` / `proxy: X` source."""
    partner = indicator.third_party_partner
    third_party = bool(partner) or indicator.data_source.lower().startswith("third party")
    text = source.strip()
    lower = text.lower()
    for prefix, flag in (("third party", "third"), ("proxy", "proxy")):
        if lower.startswith(prefix):
            named = text[len(prefix) :].lstrip(" :-–").strip()
            if flag == "third":
                third_party = True
                partner = named
            else:
                is_proxy = True
                partner = named
    return {"third_party": third_party, "proxy": is_proxy, "partner": partner}


def problems_for(
    indicator: Indicator,
    period: str,
    *,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    comment: str = "",
    source: str = "",
    is_proxy: bool = False,
    submit: bool = True,
    data: status.IndicatorData | None = None,
    rules: validation.Rules | None = None,
) -> dict[str, str]:
    """{field: message} of every validation problem of one entry ({} when it passes).

    The single entry point of the form, the Excel upload and the import command. History (for
    outliers) is only read on submission, from `data` when the caller loaded it in bulk.
    """
    rules = rules or rules_for(indicator)
    candidate = validation.Candidate(
        value=value,
        numerator=numerator,
        denominator=denominator,
        comment=comment or "",
        **flags_for(indicator, source=source, is_proxy=is_proxy),
    )
    history = None
    if submit and value is not None and not (comment or "").strip():
        history = history_for(indicator, period, data)
    result: dict[str, str] = {}
    for problem in validation.validate(rules, candidate, history, submit=submit):
        result.setdefault(problem.field, problem.message)
    return result


def entry_problems(
    indicator: Indicator, period: str, *, source: str | None = None, **entry: Any
) -> dict[str, str]:
    """`problems_for` as the kernel asks it (the ENTRY_PROBLEMS hook).

    `source` None means the entry has no source field (the form, the Excel upload): its
    problems are then reported on the field that entry has (`ENTRY_FIELD`), the first message
    of a field kept. The import passes its source column's text and gets `source` problems.
    """
    found = problems_for(indicator, period, source=source or "", **entry)
    if source is not None:
        return found
    result: dict[str, str] = {}
    for name, message in found.items():
        result.setdefault(ENTRY_FIELD.get(name, name), message)
    return result


def record_rejections(
    *,
    indicator: Indicator,
    period: str,
    errors: Mapping[str, str],
    channel: str,
    person: auth.User | None = None,
    raw: Mapping[str, object] | None = None,
) -> list[RejectedEntry]:
    """Keep a record of a refused entry (the dashboard's validity). Outside the caller's undo."""
    if not errors:
        return []
    try:
        start = periods.parse(period).start
    except periods.PeriodError:
        return []
    who = person if getattr(person, "is_authenticated", False) else None
    rows = [
        RejectedEntry(
            indicator=indicator,
            period=period,
            period_start=start,
            channel=channel,
            field=name[:20],
            message=message[:500],
            raw=str((raw or {}).get(name, "") or "").replace("\x00", "\ufffd")[:100],
            person=who,
        )
        for name, message in errors.items()
    ]
    with transaction.atomic():
        created = RejectedEntry.objects.bulk_create(rows)
        # A bulk insert sends no signal: the figures that count refusals (the dashboard's
        # validity, the data quality board) are told here, for this one indicator only — a
        # refused figure must not make every indicator's pieces stale (issue 23: one in eight
        # submissions on deadline day recomputed the whole council's statuses).
        cache.touch_indicators([indicator.pk], "dataquality")
    return created


def record_import_rejections(
    rows: Sequence[tuple[Indicator, periods.Period, Mapping[str, str], Mapping[str, str]]],
    *,
    actor: Any,
) -> None:
    """The refused rows of an import, `(indicator, period, {column: message}, {column: text})`,
    as `RejectedEntry` records: what `record_rejections` writes one entry at a time, in one bulk
    insert `BATCH` rows a query (and a new dataquality generation, as bulk inserts send no
    signals). The import keeps them even though its file is rejected: the dashboard counts them.
    """
    if not rows:
        return
    who = actor if getattr(actor, "is_authenticated", False) else None
    records = [
        RejectedEntry(
            indicator=indicator,
            period=str(period),
            period_start=period.start,
            channel=RejectedEntry.Channel.IMPORT,
            field=name[:20],
            message=message[:500],
            raw=str(cells.get(name, "") or "")[:100],
            person=who,
        )
        for indicator, period, found, cells in rows
        for name, message in found.items()
    ]
    with transaction.atomic():
        RejectedEntry.objects.bulk_create(records, batch_size=BATCH)
        cache.touch_indicators({record.indicator_id for record in records}, "dataquality")


# --- evidence ---------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The file's own name, or `DataQualityError` for anything that tries to be a path."""
    raw = name or ""
    if "\x00" in raw:
        raise DataQualityError("The file name contains a NUL byte; rename the file", "file")
    if "/" in raw or "\\" in raw or raw.startswith("~") or re.match(r"^[A-Za-z]:", raw):
        raise DataQualityError(
            "The file name must be a plain name, not a path (no / or \\); rename the file", "file"
        )
    cleaned = _UNSAFE_NAME.sub("", raw).strip().strip(".")
    if ".." in raw or not cleaned:
        raise DataQualityError("The file name is not allowed; rename the file", "file")
    if len(cleaned) > MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = stem[: MAX_NAME - len(ext) - 1] + dot + ext
    return cleaned


def sniff(data: bytes) -> str | None:
    """What the bytes are, whatever the name says: pdf, png, jpeg, xlsx, docx, csv or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names or any(
            n.lower().endswith("vbaproject.bin") for n in names
        ):
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if text.lstrip().startswith("<"):  # HTML or XML dressed as CSV
        return None
    return "csv"


def _checked_upload(
    upload: UploadedFile | None, *, allowed: set[str] | None = None
) -> tuple[bytes, str, str, str]:
    """(bytes, clean name, extension, content type) of an upload, or `DataQualityError`."""
    if upload is None:
        raise DataQualityError("Choose a file to upload", "file")
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit_mb = MAX_EVIDENCE_BYTES // 1024 // 1024
    if size is not None and size > MAX_EVIDENCE_BYTES:
        raise DataQualityError(
            f"The file is {size / 1024 / 1024:.1f} MB; the largest file accepted is {limit_mb} MB",
            "file",
        )
    data = upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise DataQualityError(
            f"The file is larger than {limit_mb} MB, the largest accepted", "file"
        )
    if not data:
        raise DataQualityError("The file is empty", "file")
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    permitted = allowed or set(ALLOWED)
    if ext not in permitted:
        labels = (
            ALLOWED_LABEL
            if allowed is None
            else " or ".join(e[1:].upper() for e in sorted(allowed))
        )
        raise DataQualityError(f"The file must be a {labels} file", "file")
    kind, content_type = ALLOWED[ext]
    refused = office_files.active_content(data)  # macros, ActiveX, external templates, DDE
    if refused:
        raise DataQualityError(refused, "file")
    if sniff(data) != kind:
        raise DataQualityError(
            f"The file's content is not a {kind.upper()} file, whatever its name says", "file"
        )
    return data, name, ext, content_type


@transaction.atomic
def upload_evidence(
    *, user: auth.User, value: Value, upload: UploadedFile | None, description: str = ""
) -> Evidence:
    """Attach a working paper to `value`: checked, stored under a generated name, audited."""
    if not access.can_see_team_data(user, value):
        raise DataQualityError("You may not attach evidence to this value", "file")
    data, name, ext, content_type = _checked_upload(upload)
    if len(description) > 250:
        raise DataQualityError("Description must be 250 characters or fewer", "description")
    evidence = Evidence(
        value=value,
        original_name=name,
        size=len(data),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        description=description.strip(),
        uploaded_by=user,
    )
    evidence.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
    evidence.save()
    audit.created(
        actor=user,
        instance=evidence,
        fields=["value", "original_name", "size", "sha256"],
        reason=f"Evidence for {value.indicator.code} {value.period}",
    )
    return evidence


# --- the review reminder ----------------------------------------------------------------------


def remind_policy_review(*, today: dt.date | None = None) -> int:
    """Email the performance officers when the current policy's annual review is due.

    Sent from the review date on until a newer version is published; each officer gets one
    email per version however often this runs (a `ReviewReminder` row is claimed first).
    Returns the number of emails sent.
    """
    today = today or timezone.localdate()
    policy = current_policy(today=today)
    if policy is None or policy.review_due_on > today:
        return 0
    if PolicyVersion.objects.filter(number__gt=policy.number).exists():
        return 0  # a newer version is published and waits for its effective date
    officers = (
        access.group_for(Role.PERFORMANCE_OFFICER)
        .user_set.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    link = settings.SITE_URL.rstrip("/") + reverse("dataquality:policy")
    for person in officers:
        reminder, created = ReviewReminder.objects.get_or_create(policy=policy, person=person)
        if not created and reminder.sent_at is not None:
            continue
        send_mail(
            subject=f"Data quality policy review due: version {policy.number}",
            message=(
                f"The annual review of the data quality policy (version {policy.number}) was due on "
                f"{policy.review_due_on:%-d %B %Y}.\n\nReview it and publish a new version: {link}\n"
            ),
            from_email=None,
            recipient_list=[person.email],
        )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
        sent += 1
    return sent

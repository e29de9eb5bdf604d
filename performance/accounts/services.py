"""Two-step verification of local passwords (issue 15): TOTP with recovery codes, via django-otp.

A performance officer turns it on by scanning (or typing) a secret into an authenticator app and
confirming one code from it; they are then shown `RECOVERY_CODES` single-use recovery codes,
once. After a password sign-in they give a code from the app, or a recovery code, before
anything else (`performance.accounts.middleware`).

Policy:
- The secret of a setup in progress lives in the session, not the database: nothing is written
  until the first code is confirmed, so an abandoned setup leaves nothing behind.
- A code is accepted one time step either side of now (django-otp's default tolerance) and
  never twice (django-otp keeps the last time step used). A recovery code is deleted when used.
- Wrong codes, in setup or at sign-in, are counted per person from the audit trail: after
  `FAILURES_ALLOWED` in `FAILURE_WINDOW`, no code is checked until the oldest of them is older
  than the window (`Locked`). django-otp's own growing delay is switched off in settings, so this
  is the one rule.
- Turning on, off, a recovery code used and every wrong code are audit events on the person.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import models as auth
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from performance.common import audit
from performance.models import AuditEvent

RECOVERY_CODES = 10
FAILURES_ALLOWED = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
FAILED = "2fa-failed"
DEVICE_NAME = "Authenticator app"


class CodeRefused(Exception):
    """A wrong, reused or malformed code; the message is shown as it is."""


class Locked(CodeRefused):
    """Too many wrong codes lately; `until` is when codes are checked again."""

    def __init__(self, until: dt.datetime):
        self.until = until
        local = timezone.localtime(until)
        super().__init__(
            f"Too many wrong codes. Try again after {local:%H:%M}, or sign out and ask a "
            "performance officer for help."
        )


@dataclass(frozen=True, slots=True)
class Secret:
    """A setup in progress: the key as hex (stored), as base32 (typed) and as an otpauth URI."""

    hex: str
    base32: str
    uri: str

    @property
    def grouped(self) -> str:
        """The base32 key in groups of four, as authenticator apps let it be typed."""
        return " ".join(self.base32[i : i + 4] for i in range(0, len(self.base32), 4))


def new_key() -> str:
    return str(random_hex(20))


def secret_for(user: auth.User, key: str) -> Secret:
    """The key's forms for `user`: base32 without padding and an otpauth:// URI (issuer Summit)."""
    b32 = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    issuer = getattr(settings, "OTP_TOTP_ISSUER", "Summit")
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode({"secret": b32, "issuer": issuer, "algorithm": "SHA1", "digits": 6})
    return Secret(hex=key, base32=b32, uri=f"otpauth://totp/{label}?{query}&period=30")


def totp_device(user: auth.User) -> TOTPDevice | None:
    found: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return found


def is_on(user: auth.User) -> bool:
    """Whether `user` has a confirmed authenticator (two-step verification is on)."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: auth.User) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())


def _failures(user: auth.User, since: dt.datetime) -> list[dt.datetime]:
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(user, for_concrete_model=False),
        object_id=str(user.pk),
        action=FAILED,
        at__gte=since,
    ).order_by("at")
    return list(events.values_list("at", flat=True))


def locked_until(user: auth.User) -> dt.datetime | None:
    """When codes are checked again, if `user` gave FAILURES_ALLOWED wrong codes in the window."""
    now = timezone.now()
    failures = _failures(user, now - FAILURE_WINDOW)
    if len(failures) < FAILURES_ALLOWED:
        return None
    # Unlocked once enough of them have left the window to bring the count below the limit.
    return failures[len(failures) - FAILURES_ALLOWED] + FAILURE_WINDOW


def _check_not_locked(user: auth.User) -> None:
    until = locked_until(user)
    if until is not None:
        raise Locked(until)


def _refuse(user: auth.User, where: str, message: str) -> CodeRefused:
    # Outside any transaction of the caller's: a refused code must stay counted.
    audit.record(actor=user, instance=user, action=FAILED, reason=where)
    until = locked_until(user)
    if until is not None:
        return Locked(until)
    return CodeRefused(message)


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_matches(key: str, code: str) -> int | None:
    """The time step `code` belongs to (one step either side of now), or None."""
    if not code.isdigit() or len(code) != 6:
        return None
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        return None
    t: int = totp.t()
    return t


def turn_on(*, user: auth.User, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm `key` with a `code` from the app; replace any devices; return the recovery codes.

    Raises `Locked` or `CodeRefused` (the failure is audited) and then writes nothing else.
    """
    _check_not_locked(user)
    t = _totp_matches(key, _clean(code))
    if t is None:
        raise _refuse(
            user,
            "two-step verification setup",
            "That code does not match. Check the time on your phone, then enter the code the "
            "app shows now.",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=t
        )
        recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
        audit.record(
            actor=user,
            instance=user,
            action="2fa-on",
            changes={"two_step_verification": [False, True]},
        )
    return device, codes


def verify(*, user: auth.User, code: str) -> TOTPDevice | StaticDevice:
    """The device `code` (an app's code or an unused recovery code) verifies; else raise.

    A recovery code is used up (audited with how many are left).
    """
    _check_not_locked(user)
    cleaned = _clean(code)
    with transaction.atomic():
        device = totp_device(user)
        if device is not None and cleaned.isdigit() and device.verify_token(cleaned):
            return device
        for static in StaticDevice.objects.filter(user=user, confirmed=True):
            if cleaned and static.verify_token(cleaned):
                left = recovery_codes_left(user)
                audit.record(
                    actor=user,
                    instance=user,
                    action="2fa-recovery-code",
                    changes={"recovery_codes_left": [left + 1, left]},
                )
                return static
    raise _refuse(
        user,
        "two-step verification sign-in",
        "That code is not right. Enter the 6-digit code your app shows now, or one of your "
        "recovery codes.",
    )


@transaction.atomic
def turn_off(*, user: auth.User, actor: auth.User | None, reason: str = "") -> bool:
    """Remove `user`'s authenticator and recovery codes; audited. False when it was off."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if not removed:
        return False
    audit.record(
        actor=actor,
        instance=user,
        action="2fa-off",
        changes={"two_step_verification": [True, False]},
        reason=reason,
    )
    return True

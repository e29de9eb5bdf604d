"""GOV.UK basics (issue 19): the phase banner and the contact addresses of the accessibility
statement and the privacy notice, all from settings."""

from __future__ import annotations

import re

from django.conf import settings

# Words a council's name carries that its web address usually leaves out.
_TYPE_WORDS = re.compile(
    r"\b(the|borough|district|city|county|metropolitan|royal|council|of)\b", re.IGNORECASE
)


def council_domain() -> str:
    """ "Maidstone Borough Council" → "maidstone.gov.uk"; "Demo Borough Council" → "demo.gov.uk"."""
    words = _TYPE_WORDS.sub(" ", settings.COUNCIL_NAME)
    stem = re.sub(r"[^a-z0-9]+", "", words.lower()) or "council"
    return f"{stem}.gov.uk"


def accessibility_email() -> str:
    return settings.ACCESSIBILITY_CONTACT_EMAIL or f"accessibility@{council_domain()}"


def data_protection_email() -> str:
    return settings.DATA_PROTECTION_EMAIL or f"dataprotection@{council_domain()}"


def phase() -> str:
    """ "Alpha", "Beta", or "" when the banner is off (PHASE_BANNER=none)."""
    return "" if settings.PHASE_BANNER == "none" else settings.PHASE_BANNER.capitalize()

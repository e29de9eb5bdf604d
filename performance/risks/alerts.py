"""The email that asks a risk's owner for a review when a key risk indicator alerts (SPEC §14).

Sent once per alert: the alert row is claimed (`notified_at` set where it was empty) before the
message goes; if sending raises, the claim is released so the retry sends it. A worker killed
between claim and send loses that one email (the alert still shows on the risk, the register and
the owner's home page): a second email would be worse than none for a notice that the pages
carry anyway.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from performance.common.display import person_name
from performance.models import RiskAlert


def send_alert(alert_id: int) -> bool:
    """Send the review request of alert `alert_id`; False when already sent, resolved or the
    owner has no email address."""
    alert = (
        RiskAlert.objects.select_related("risk__owner", "risk__category", "indicator")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.resolved_at is not None:
        return False
    owner = alert.risk.owner
    if not owner.is_active or not owner.email:
        return False
    claimed = RiskAlert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        build_message(alert).send()
    except BaseException:
        RiskAlert.objects.filter(pk=alert.pk).update(notified_at=None)
        raise
    return True


def build_message(alert: RiskAlert) -> EmailMultiAlternatives:
    risk = alert.risk
    subject = (
        f"Review risk {risk.reference} now: {alert.indicator.code} is "
        f"{alert.get_reason_display().lower()} for {alert.period}"
    )
    context = {
        "subject": subject,
        "name": person_name(risk.owner),
        "alert": alert,
        "risk": risk,
        "review_url": settings.SITE_URL + reverse("performance:risk-review", args=[risk.pk]),
        "risk_url": settings.SITE_URL + reverse("performance:risk-detail", args=[risk.pk]),
        "indicator_url": settings.SITE_URL
        + reverse("performance:indicator-detail", args=[alert.indicator_id]),
        "council_name": settings.COUNCIL_NAME,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/risk_alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[risk.owner.email],
    )
    message.attach_alternative(render_to_string("emails/risk_alert.html", context), "text/html")
    return message

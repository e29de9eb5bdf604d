from django.conf import settings
from django.http import HttpRequest

from performance.common import access, govuk, navigation


def summit(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = access.primary_role(user) if user is not None else None
    return {
        "council_name": settings.COUNCIL_NAME,
        "phase_banner": govuk.phase(),
        "feedback_email": govuk.accessibility_email(),
        "primary_role": role,
        "nav_items": navigation.items_for(request) if user is not None else [],
    }

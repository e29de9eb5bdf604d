"""`{% load history %}`: the history panel's data for the person viewing (issue 19).

`{% history_of object as panel %}` is None when the person may not see the object's history
(`performance.common.history.may_see`), else a dict: `entries` (newest first, at most
`history.LIMIT`), `values` (True on an indicator: the history of its values), `limit`.
On an indicator or a value, the newest row of an activated value offers "Re-open for
correction" to those who may (`access.can_manage`: the existing correct flow).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import template

from performance.common import access, history
from performance.models import Indicator, Value

register = template.Library()


@register.simple_tag(takes_context=True)
def history_of(context: template.Context, instance: Any) -> dict | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if instance is None or user is None or not history.may_see(user, instance):
        return None
    if isinstance(instance, Indicator):
        entries = history.for_values(instance, may_reopen=access.can_manage(user, instance))
        return {"entries": entries, "values": True, "limit": history.LIMIT}
    entries = history.for_object(instance)
    if (
        isinstance(instance, Value)
        and entries
        and instance.status == Value.Status.ACTIVATED
        and access.can_manage(user, instance.indicator)
    ):
        entries[0] = dataclasses.replace(entries[0], reopen_value_id=instance.pk)
    return {"entries": entries, "values": False, "limit": history.LIMIT}

"""The demo's action-plan requests (issue 20): what the activations of the seeded values call for.

The seed writes values in bulk, past the activation hook, so the requests a live council would
have by now are raised here in one pass over every indicator: the Red or twice-deteriorating
indicators without an open plan ask their heads for one, as on the morning after activation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from performance.models import Indicator
from performance.plans import requests

if TYPE_CHECKING:
    from performance.demo import DemoContext


def seed(context: DemoContext) -> None:
    ids = Indicator.objects.filter(active=True, team__isnull=False).values_list("pk", flat=True)
    raised = requests.raise_requests(indicator_ids=list(ids))
    context.log(f"Action plans asked for: {len(raised)} (Red or deteriorating, no plan open).")

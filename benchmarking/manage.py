"""Benchmarking's kind of record in the Manage area: comparator groups (SPEC §8, issue 18).

A group chooses its members among every authority Summit has stored, whether a benchmark import
(`import_benchmarks` stores every authority of a published table) or a comparator import put it
there, so a group can change without a new import. Manage cannot import this app, so `apps.py`
registers `kinds()` under the MANAGE_KINDS hook.
"""

from __future__ import annotations

from benchmarking.forms import ComparatorGroupForm
from performance.manage.views.kinds import Kind, Placement

COMPARATOR_GROUPS = Kind(
    "comparator-groups",
    ComparatorGroupForm,
    "Councils the council compares itself with, chosen among every authority stored.",
    (
        ("Name", lambda o: o.name),
        ("Kind", lambda o: o.get_kind_display()),
    ),
    words=("Comparator groups", "comparator group"),
)


def kinds() -> list[Placement]:
    """The MANAGE_KINDS receiver: comparator groups, in a Benchmarking group of their own."""
    return [Placement("Benchmarking", after="", kind=COMPARATOR_GROUPS)]

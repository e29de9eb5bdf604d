"""Hooks: how the kernel calls code that lives above it, in a fixed order (after wagtail.hooks).

The performance kernel (collection, indicators, manage) must not import the apps built on it,
yet data quality (SPEC §9) takes part in its work: the signed statement gates a submission,
validation rules add problems to an entry, refused entries are recorded, evidence shows on the
value and indicator pages, validation rules are edited in Manage. The higher app registers a
function under a hook's name in its `AppConfig.ready()`; the kernel calls `hooks.one(name)`
where it needs one answer, or each of `hooks.get(name)` where every receiver contributes.

Receivers run in ascending `order`, then registration order. A hook listed in `REQUIRED` must
have a receiver: the system check `summit.E001` stops start-up otherwise, so validation can
never silently vanish because an app was left out of INSTALLED_APPS.

Tests swap receivers with `register_temporarily(name, fn)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core import checks

# --- the hooks ---------------------------------------------------------------------------------

# Before an enterer submits or a manager activates: `fn(user, role: "Enterer" | "Manager")`;
# raises `collection.services.Refused` when the person may not (no signed statement).
BEFORE_SUBMIT = "before_submit"
# The problems of one entry: `fn(indicator, period, *, value, numerator=None, denominator=None,
# comment="", source=None, submit=True, data=None, rules=None) -> dict[str, str]` (field name →
# message). `source` None: the entry has no source field (the form, the Excel upload), so a
# problem of the source is reported on the value; a str (the import): on `source`.
ENTRY_PROBLEMS = "entry_problems"
# The rules of many indicators in one query, passed back to ENTRY_PROBLEMS as `rules`:
# `fn(indicators) -> dict[int, object]` (by indicator id).
ENTRY_RULES = "entry_rules"
# An entry refused by the rules: `fn(*, indicator, period, errors, channel, person=None,
# raw=None)`; `channel` "form" or "excel".
ENTRY_REJECTED = "entry_rejected"
# Refused import rows in one write: `fn(rows, *, actor)`, each row `(indicator, period: Period,
# errors: {column: message}, cells: {column: text})`.
ENTRIES_REJECTED_IN_BULK = "entries_rejected_in_bulk"
# Panels: evidence of values, `fn(value_ids) -> dict[int, list]` (a missing id reads as []); of
# an indicator for a reader, `fn(user, indicator) -> list | None` (None: the reader may not see
# it).
VALUE_EVIDENCE = "value_evidence"
INDICATOR_EVIDENCE = "indicator_evidence"
# An indicator's validation settings (issue 18: the optional `import_indicators` columns and the
# indicator form in Manage), kept by data quality. Keys: allow_negative, allow_over_100,
# whole_numbers (bools), minimum, maximum, change_threshold (Decimal or None).
# Read: `fn(indicators) -> dict[int, dict]` (defaults for an indicator without settings);
# write: `fn(*, indicator, settings, actor, reason="") -> bool` (changed; audited);
# check: `fn(*, unit, decimals, polarity, settings, said_no_to_negative=False)` ->
# `dict[str, tuple[str, str]]` (setting name → (rule code, message); empty when they agree).
INDICATOR_SETTINGS = "indicator_settings"
SET_INDICATOR_SETTINGS = "set_indicator_settings"
CHECK_INDICATOR_SETTINGS = "check_indicator_settings"
# Extra kinds of record in Manage: `fn() -> list[Placement]`
# (`performance.manage.views.kinds.Placement`: the group, the kind it follows, the kind).
MANAGE_KINDS = "manage_kinds"
# More sheets of the council workbook (issue 18), after the kernel's own and in this order:
# `fn() -> list[performance.council.sheets.Sheet]` (each with its exporter, checker and applier).
COUNCIL_SHEETS = "council_sheets"
# Values newly activated (issue 20), once a transaction commits: `fn(*, indicator_ids: frozenset)`,
# each id once per transaction (`performance.common.activations.announce`). Idempotent receivers.
VALUES_ACTIVATED = "values_activated"

REQUIRED = (
    BEFORE_SUBMIT,
    ENTRY_PROBLEMS,
    ENTRY_RULES,
    ENTRY_REJECTED,
    ENTRIES_REJECTED_IN_BULK,
    VALUE_EVIDENCE,
    INDICATOR_EVIDENCE,
)


@dataclass(order=True)
class _Receiver:
    order: int
    sequence: int
    fn: Callable[..., Any] = field(compare=False)


_registry: dict[str, list[_Receiver]] = {}
_sequence = 0


def register(name: str, fn: Callable[..., Any] | None = None, *, order: int = 0) -> Any:
    """Register `fn` under `name`; usable as `register(name, fn)` or as a decorator."""

    def add(target: Callable[..., Any]) -> Callable[..., Any]:
        global _sequence
        _sequence += 1
        receivers = _registry.setdefault(name, [])
        if any(r.fn is target for r in receivers):
            return target  # ready() may run twice (tests, runserver's reloader)
        receivers.append(_Receiver(order, _sequence, target))
        receivers.sort()
        return target

    return add(fn) if fn is not None else add


def get(name: str) -> list[Callable[..., Any]]:
    """The receivers of `name`, in order."""
    return [receiver.fn for receiver in _registry.get(name, [])]


def one(name: str) -> Callable[..., Any]:
    """The single receiver of a required hook whose answer the kernel needs (the last one
    registered wins, so a test or a council's own app can replace the default)."""
    receivers = get(name)
    if not receivers:
        raise LookupError(f"No receiver for the hook {name!r}: is its app installed?")
    return receivers[-1]


@contextmanager
def register_temporarily(name: str, fn: Callable[..., Any], *, order: int = 0) -> Iterator[None]:
    """Register `fn` under `name` for the duration of a `with` block (tests). A receiver that
    was registered already stays registered afterwards."""
    already = fn in get(name)
    register(name, fn, order=order)
    try:
        yield
    finally:
        if not already:
            _registry[name] = [r for r in _registry.get(name, []) if r.fn is not fn]


@checks.register()
def check_required_hooks(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """summit.E001: every required hook has a receiver (SPEC §9 cannot be switched off by
    leaving an app out)."""
    return [
        checks.Error(
            f"The hook {name!r} has no receiver.",
            hint="Add 'dataquality' to INSTALLED_APPS; it registers its hooks in ready().",
            id="summit.E001",
        )
        for name in REQUIRED
        if not get(name)
    ]

"""Telling the areas above the kernel which indicators have newly activated values (issue 20).

Every activation path (one value, a bulk activation, `import_values` and the council workbook)
calls `announce(indicator_ids)` inside its transaction. Once it commits, each receiver of the
`VALUES_ACTIVATED` hook is called once with every indicator announced in that transaction:
a bulk activation of hundreds of values is one call, not hundreds. Nothing is announced for a
transaction that rolls back.

Receivers must be idempotent and read the state of the database, not trust the ids: an id
announced by a savepoint later rolled back only costs a look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from performance.common import hooks


class _Pending:
    """The on-commit callback of one transaction, holding the ids announced in it."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __call__(self) -> None:
        ids = frozenset(self.ids)
        for receiver in hooks.get(hooks.VALUES_ACTIVATED):
            receiver(indicator_ids=ids)


def _pending_callback() -> _Pending | None:
    """This transaction's callback, if one was registered (and not rolled back)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        callback: Callable[[], None] = entry[1]
        if isinstance(callback, _Pending):
            return callback
    return None


def announce(indicator_ids: Iterable[int]) -> None:
    """Indicators with values activated in the current transaction (called after the write)."""
    ids = {int(pk) for pk in indicator_ids}
    if not ids or not hooks.get(hooks.VALUES_ACTIVATED):
        return
    pending = _pending_callback()
    if pending is None:
        pending = _Pending()
        pending.ids |= ids
        transaction.on_commit(pending)  # outside a transaction: called at once
        return
    pending.ids |= ids

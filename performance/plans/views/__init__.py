"""Plan pages (SPEC §2), by area: `strategic` (the strategic plan tree, the golden thread and the
strategic actions with bi-annual updates), `service_plans` (service plans with monthly progress)
and `action_plans` (action plans kept as versions); `shared` holds what they have in common.

Reads come from `performance.plans.selectors` and `thread` with a fixed number of queries; writes
go through `performance.plans.services`, inside `transaction.atomic` with the audit trail.

Access: every signed-in person reads the strategic plan, the golden thread and the strategic
actions (it is a public-facing plan). Service plans and action plans are fetched through the
access gate (`access.service_plan_for`, `access.action_plan_for`, the `readable_by` QuerySets).
Out of read scope → 404; an action the person may not do → 403.
"""

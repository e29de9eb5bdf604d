"""Manage: the performance officers' pages that set up the organisation, people, plans,
indicators and targets (every change audited)."""

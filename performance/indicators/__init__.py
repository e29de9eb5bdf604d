"""Indicators (SPEC §3, §4): every indicator's status for a period, the list and detail pages,
and `import_indicators`."""

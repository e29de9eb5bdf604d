"""The API for Power BI and the council's other systems (SPEC §15), at /api/v1/."""

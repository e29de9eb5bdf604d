"""Risk management (SPEC §14): registers, reviews in the collection cycle, key risk indicator
alerts, escalation, the heat map, `import_risks` and `risk_register`. docs/risks.md."""

"""Risk pages (SPEC §14), by area: `register` (the register and the heat map, with the same
filters), `risk` (one risk and its review) and `officers` (the escalations queue and the
matrix, performance officers only).

Reads come from `performance.risks.selectors` and `pages` with a fixed number of queries;
writes go through `performance.risks.services`, which audit them. Access: a risk is fetched
through `services.risk_for` (out of read scope → 404; reviewing someone else's → 403); the
officers' pages answer 403 to anyone else, as Manage does.
"""

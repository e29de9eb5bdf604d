"""What every area shares: the access gate's getters, the audit trail, generation caching, the
outbox, hooks into the apps above, the one GOV.UK form rendering, file tables and navigation."""

"""The home dashboard per role, and the health check."""

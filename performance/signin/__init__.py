"""Signing in with the council's identity provider (SPEC §16, issue 15): OpenID Connect through
mozilla-django-oidc, the claim-to-role mappings kept in Manage, and break-glass local sign-in."""

"""Sign-in mappings as a kind of record in Manage (added through the MANAGE_KINDS hook), in the
Organisation group after the teams."""

from __future__ import annotations

from performance.manage.views.kinds import Kind, Placement
from performance.signin.forms import SignInMappingForm

SIGNIN_MAPPINGS = Kind(
    "signin-mappings",
    SignInMappingForm,
    "Which of the identity provider's groups or roles give which Summit role and team.",
    (
        ("Claim value", lambda o: o.claim_value),
        ("What it is", lambda o: o.note),
        ("Role", lambda o: o.role),
        ("Team", lambda o: o.team.name if o.team else "None"),
    ),
    words=("Sign-in mappings", "sign-in mapping"),
    related=("team",),
    filters=("team",),
)


def kinds() -> list[Placement]:
    """The MANAGE_KINDS receiver."""
    return [Placement("Organisation", after="teams", kind=SIGNIN_MAPPINGS)]

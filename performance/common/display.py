"""Small display helpers shared by pages: a person's name and links to pages that may not exist."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def person_name(user) -> str:
    if user is None:
        return "Not assigned"
    return user.get_full_name() or user.get_username()


def url_or_none(name: str, *args) -> str | None:
    """Link to another area's page only once it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None

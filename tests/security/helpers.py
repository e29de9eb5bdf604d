"""URL discovery for the security tests: every route of the app, with its parameters filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# A concrete value for each path converter: enough to reach the view (which may then 404).
SAMPLE = {"int": "1", "slug": "sample", "str": "sample", "path": "sample/x", "uuid": None}
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # a concrete URL path, e.g. /reach-the-summit/teams/sample/
    name: str  # namespaced URL name, or the route text when unnamed
    callback: object


def _fill(route: str) -> str | None:
    def replace(match: re.Match) -> str:
        value = SAMPLE.get(match.group("converter") or "str")
        if value is None:
            return "00000000-0000-0000-0000-000000000000"
        return value

    return _PARAM.sub(replace, route)


def _regex_path(regex: str) -> str | None:
    """A concrete path for a simple regex route (admin's `^auth/$` style), else None."""
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    # Named groups: the first alternative of a list, "sample" for a wildcard.
    text = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[\w|-]+)?\)", r"\1", text)
    text = re.sub(r"\(\?P<\w+>(?:\.\*|\.\+|\[\^/\]\+)\)", "sample", text)
    if re.search(r"[(\[\]*+?{}|\\]", text):
        return None
    return text


def all_routes() -> tuple[list[Route], list[str]]:
    """(routes reachable with sample parameters, route texts that could not be filled)."""
    routes: list[Route] = []
    unfilled: list[str] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            pattern = entry.pattern
            if isinstance(pattern, RoutePattern):
                piece = _fill(str(pattern))
            else:
                piece = _regex_path(pattern.regex.pattern)
            if piece is None:
                unfilled.append(prefix + str(pattern))
                continue
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + piece, inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else prefix + piece
                routes.append(Route("/" + prefix + piece, name, entry.callback))

    walk(get_resolver().url_patterns, "", "")
    return routes, unfilled

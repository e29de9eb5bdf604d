"""The main menu: the sections a person's role uses, for the URLs that exist."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from performance.common import access
from performance.core.roles import Role

ALL = frozenset(Role)
# (label, URL name, roles that see it); a section shows only once its URL exists.
SECTIONS: list[tuple[str, str, frozenset[Role]]] = [
    ("Dashboard", "home", ALL),
    ("Indicators", "performance:indicator-list", ALL),
    (
        "My returns",
        "performance:my-returns",
        frozenset({Role.DATA_ENTERER, Role.PERFORMANCE_OFFICER}),
    ),
    (
        "Activation queue",
        "performance:activation-queue",
        frozenset({Role.DATA_MANAGER, Role.PERFORMANCE_OFFICER}),
    ),
    ("Data collection", "performance:round-list", ALL),
    ("Strategic plan", "performance:strategic-plan", ALL),
    ("Service plans", "performance:service-plan-list", ALL),
    ("Action plans", "performance:action-plan-list", ALL),
    ("Risks", "performance:risk-register", ALL),
    ("Reach the Summit", "reach_summit:league-table", ALL),
    ("Benchmarking", "benchmarking:index", ALL),
    ("Data quality", "dataquality:dashboard", ALL),
    ("Reports", "reports:index", ALL),
    ("Manage", "performance:manage-index", frozenset({Role.PERFORMANCE_OFFICER})),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _url(name: str) -> str | None:
    # Every page draws the menu: reverse each section once per URLconf and script prefix.
    return _reverse(name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=256)
def _reverse(name: str, urlconf, prefix: str) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def items_for(request) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated:
        return []
    roles = access.roles_of(user)
    path = request.path
    result = []
    for label, name, allowed in SECTIONS:
        if not roles & allowed and name != "home":
            continue
        url = _url(name)
        if url is None:
            continue
        current = path == url if url == "/" else path.startswith(url)
        result.append(NavItem(label, url, current))
    return result

"""Content Security Policy: on every response, and nothing inline that it would have to allow.

Two nets: a static scan of every page template (emails excluded: they are not served under the
policy and mail clients need inline styles), and a scan of the HTML actually rendered for every
parameterless page, as each kind of user, so markup built in Python (SVG charts, widgets) is
covered too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from performance.core.roles import Role
from tests.factories import UserFactory
from tests.performance.collection.test_collection import build_world
from tests.security.helpers import all_routes

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def inline_problems(html: str) -> list[str]:
    found = []
    for label, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("on*= handler", HANDLER),
        ("javascript: URL", JS_URL),
    ):
        for match in pattern.finditer(html):
            found.append(f"{label}: {match.group(0)[:120]}")
    return found


def _page_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    files = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.suffix not in {".html", ".svg"}:
                continue
            relative = str(path.relative_to(folder))
            if relative.startswith("emails/") or "_email" in path.name:
                continue
            files.append(path)
    return files


def test_the_policy_forbids_inline_script_and_style():
    from config.middleware import POLICY

    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in POLICY


def test_no_page_template_has_inline_script_style_or_handlers():
    templates = _page_templates()
    assert len(templates) > 20  # the scan really reads the templates
    problems = {
        str(path.relative_to(ROOT)): inline_problems(path.read_text())
        for path in templates
        if inline_problems(path.read_text())
    }
    assert not problems, problems


def test_the_checks_catch_what_they_look_for():
    assert inline_problems('<script>alert(1)</script><p style="color:red" onclick="x()">')
    assert not inline_problems('<script src="/static/x.js" defer></script><p class="a">')


@pytest.mark.django_db
def test_every_page_has_the_policy_and_renders_nothing_inline():
    world = build_world()
    users = {
        "anonymous": None,
        "officer": world.users["officer"],
        "enterer": world.users["enterer_a"],
        "manager": world.users["manager_a"],
        "head": world.users["head_w"],
        "member": world.users["member"],
        "admin": UserFactory(roles=[Role.PERFORMANCE_OFFICER], is_staff=True, is_superuser=True),
    }
    routes, _ = all_routes()
    # Pages without parameters, and the same pages' 404s for made-up parameters.
    paths = sorted({r.path for r in routes if "sample" not in r.path and "/1/" not in r.path})
    paths += ["/performance/indicators/999999/", "/no-such-page/"]
    html_pages = 0
    failures: dict[str, list[str]] = {}
    for who, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            if path.startswith("/accounts/logout"):
                continue
            response = client.get(path)
            policy = response.headers.get("Content-Security-Policy", "")
            if "script-src 'self'" not in policy:
                failures.setdefault(f"{who} {path}", []).append("no CSP header")
            if response.headers.get("Content-Type", "").startswith("text/html"):
                html_pages += 1
                problems = inline_problems(response.content.decode(errors="replace"))
                if problems:
                    failures[f"{who} {path}"] = problems
    assert html_pages > 50
    assert not failures, failures

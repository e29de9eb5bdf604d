"""No secret in the repository: a scan of every file git tracks.

Patterns: private keys, credentials inside URLs, AWS-style access keys, Slack/GitHub-style tokens
and a literal `SECRET_KEY = "..."`. Placeholders in documentation (`USER:PASSWORD@`,
`<a strong password>`, `${VAR}`) are not secrets and are allowed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Built from pieces so this file does not match its own patterns.
BEGIN = "-----BEGIN"
PATTERNS = {
    "private key": re.compile(BEGIN + r" (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret": re.compile(r"aws_secret_access_key\s*[=:]\s*\S{20,}", re.IGNORECASE),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "Slack token": re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"),
    "SECRET_KEY literal": re.compile(r"""\bSECRET_KEY\s*=\s*[rbf]?["']"""),
    "password in URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:([^@\s/'\"]+)@"),
}
PLACEHOLDER = re.compile(
    r"^(?:PASSWORD|password|pass|secret|…|\.\.\.|\*+|x+|<[^>]*>|\$\{?\w+\}?|%\(\w+\)s|\{\w*\})$"
)


def tracked_files() -> list[Path]:
    if shutil.which("git") is None:
        pytest.fail("git is needed to list the tracked files for the secret scan")
    result = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"git ls-files failed: {result.stderr.strip()}")
    return [ROOT / name for name in result.stdout.split("\0") if name]


def secrets_in(text: str) -> list[str]:
    found = []
    for label, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if label == "password in URL" and PLACEHOLDER.match(match.group(1)):
                continue
            found.append(f"{label}: {match.group(0)[:60]}")
    return found


def test_the_scan_recognises_secrets_and_spares_placeholders():
    assert secrets_in(BEGIN + " RSA PRIVATE KEY-----")
    assert secrets_in("key = 'AKIA" + "ABCDEFGHIJKLMNOP'")
    assert secrets_in("postgres://summit:" + "hunter2hunter2@db:5432/summit")
    assert secrets_in("SECRET_KEY = " + '"django-insecure-abc"')
    assert not secrets_in("postgres://USER:PASSWORD@HOST:5432/NAME")
    assert not secrets_in("postgres://summit:…@db:5432/summit")
    assert not secrets_in("redis://:${REDIS_PASSWORD}@redis:6379/0")
    assert not secrets_in('env["SECRET_KEY"] = value')


def test_no_tracked_file_contains_a_secret():
    files = tracked_files()
    assert len(files) > 50
    found = {}
    for path in files:
        # This file holds the patterns themselves as test data.
        if path == Path(__file__).resolve():
            continue
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files (images, fonts, workbooks)
        hits = secrets_in(text)
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert not found, found

#!/usr/bin/env python
"""Crawl every page as each demo user and snapshot the responses, to prove a refactor renders
the same HTML before and after.

Seed a pristine database once (time frozen, so the demo data is deterministic), keep a copy, and
crawl a fresh copy of it with each version of the code:

    .venv/bin/python scripts/crawl_pages.py --database /tmp/crawl/before.sqlite3 --seed-db \\
        --pristine-copy /tmp/crawl/seeded.sqlite3 --out /tmp/crawl/before
    .venv/bin/python scripts/crawl_pages.py --from-db /tmp/crawl/seeded.sqlite3 --out /tmp/crawl/after
    .venv/bin/python scripts/crawl_pages.py --compare /tmp/crawl/before /tmp/crawl/after
    .venv/bin/python scripts/crawl_pages.py --explain /tmp/crawl/before /tmp/crawl/after

What it does:
- settings come from the environment (config/settings.py): DATABASE_URL=sqlite:///PATH, DEBUG off,
  `testserver` allowed, a fixed SECRET_KEY, plain (unhashed) static URLs, a throw-away var/
  directory, and MEDIA_ROOT=<database>.media (the demo's evidence files live there, so they
  travel with the database: --pristine-copy and --from-db copy both);
- time is frozen (time_machine, not ticking) at FROZEN_AT for seeding and crawling;
- for each demo user (Django's test Client, force_login) a breadth-first crawl from `/` of every
  same-site <a href> in HTML responses (GET only; fragments stripped, query strings kept;
  /accounts/logout/ and /admin/ skipped); redirects are not followed but their Location is
  queued; then `/public/` anonymously. The URL space is unbounded (previous/next year links run
  on forever) and large (2,340 target pages, each with a delete page), so two deterministic
  limits apply, see `crawl_role`: --per-pattern URLs of one shape and --chain hops between
  pages of one shape; --cap pages per role is a safety net that should not be hit;
- each response is saved as one file under OUT/<role>/ with its status, content type and (for
  HTML) the body with per-request CSRF tokens replaced; CSV, JSON and plain-text bodies are saved
  as they are; other types (PDF, xlsx) only by size; OUT/<role>/index.tsv lists
  url, status, content type and file name (skipped URLs with status `skipped`).

Only Django and the `seed_demo` management command are used: the script imports no module of the
project itself, so it runs unchanged on code whose package layout has moved.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import datetime as dt
import difflib
import hashlib
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
FROZEN_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
ROLES = ["performance", "enterer", "manager", "head", "member"]
ANONYMOUS = "anonymous"
SEED_SCALE = "small"
SEED = 2024
# A fixed key: anything signed into a page is then the same in every run.
# A fixed key (derived, not written out) so two crawls sign alike; never a production key.
CRAWL_KEY = hashlib.sha256(b"summit scripts/crawl_pages.py: deterministic snapshots").hexdigest()
SKIP_PREFIXES = ("/accounts/logout/", "/admin/")
# Settings read from the environment that change what pages show: forced to their defaults
# (an empty value counts as unset in config/env.py) so the caller's shell cannot leak in.
RESET_ENV = [
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "COUNCIL_NAME",
    "COLLECTION_WINDOW_DAYS",
    "COUNCIL_CODE",
    "TIME_ZONE",
    "SESSION_COOKIE_AGE",
    "AXES_FAILURE_LIMIT",
    "TRUSTED_PROXIES",
    "REDIS_URL",
    "EMAIL_HOST",
    "MEDIA_ROOT",
    "HTTPS",
]
TEXT_BODY_TYPES = ("text/csv", "text/plain", "application/json", "text/tab-separated-values")


# ---------------------------------------------------------------------------------------------
# Django set-up


def configure_environment(database: Path, var_dir: Path) -> None:
    for name in RESET_ENV:
        os.environ[name] = ""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "SECRET_KEY": CRAWL_KEY,
            "STATIC_MANIFEST": "false",
            "SUMMIT_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(media_dir(database)),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # 404s and 403s are expected while crawling; errors (500s) are still logged.
            "LOG_LEVEL": os.environ.get("CRAWL_LOG_LEVEL", "ERROR"),
        }
    )


def setup_django(database: Path) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="crawl-var-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    # Static files are not served (nothing links to them with <a>); an empty STATIC_ROOT only
    # keeps WhiteNoise from warning that it is missing.
    (var_dir / "staticfiles").mkdir()
    configure_environment(database, var_dir)
    if str(ROOT) not in sys.path[:1]:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    import logging

    # django.request logs each 404 and 403 as a warning: noise here. 500s are still logged.
    logging.getLogger("django.request").setLevel(os.environ["LOG_LEVEL"])
    import performance

    where = Path(performance.__file__).resolve()
    if ROOT not in where.parents:
        sys.exit(f"performance resolves to {where}, not under {ROOT}: set PYTHONPATH={ROOT}")
    print(f"code: {where.parent}; database: {database}", flush=True)


def media_dir(database: Path) -> Path:
    return Path(f"{database}.media")


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite file and its media directory (the demo's uploaded files)."""
    if not source.exists():
        sys.exit(f"{source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    if media_dir(target).exists():
        shutil.rmtree(media_dir(target))
    if media_dir(source).exists():
        shutil.copytree(media_dir(source), media_dir(target))


def freeze_time():
    import time_machine

    return time_machine.travel(FROZEN_AT, tick=False)


# ---------------------------------------------------------------------------------------------
# Seeding (in its own process, so the crawl never starts with caches the seeding warmed)


def seed(database: Path) -> None:
    setup_django(database)
    from django.core.management import call_command

    with freeze_time():
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", scale=SEED_SCALE, seed=SEED)


def migrate_if_needed() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
        print(f"WARNING: the database lacks migrations {names}; applying them", flush=True)
        with freeze_time():
            call_command("migrate", interactive=False, verbosity=0)


# ---------------------------------------------------------------------------------------------
# Crawling


class LinkParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value is not None:
                    self.hrefs.append(value)


def links(body: str) -> list[str]:
    parser = LinkParser()
    parser.feed(body)
    parser.close()
    return parser.hrefs


def same_site(base: str, href: str, hosts: set[str]) -> str | None:
    """The path and query of `href` resolved against `base`, or None when it leaves the site."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    absolute = urljoin("http://testserver" + base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc not in hosts:
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def skip_reason(url: str, skip_pdf: bool) -> str | None:
    path = urlsplit(url).path
    if path.startswith(SKIP_PREFIXES):
        return "excluded"
    if skip_pdf and (path.endswith(".pdf") or "/pdf" in path):
        return "pdf"
    return None


_CSRF_CANDIDATE = re.compile(r"\b[A-Za-z0-9]{64}\b")


def normalise(body: str, csrf_secret: str | None) -> str:
    """Replace the per-request CSRF tokens (masked anew for every response) and nothing else.

    A 64-character string is replaced only when it unmasks to this client's CSRF secret, so no
    other content can be touched by accident.
    """
    if not csrf_secret:
        return body
    from django.middleware.csrf import _unmask_cipher_token

    def replace(match: re.Match) -> str:
        token = match.group(0)
        return "CSRF-TOKEN" if _unmask_cipher_token(token) == csrf_secret else token

    return _CSRF_CANDIDATE.sub(replace, body)


def file_name(url: str, content_type: str) -> str:
    digest = hashlib.sha1(url.encode()).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_")[:80] or "root"
    if content_type.startswith("text/html"):
        extension = "html"
    elif content_type.startswith("text/csv"):
        extension = "csv"
    else:
        extension = "txt"
    return f"{slug}-{digest}.{extension}"


def response_body(response) -> bytes:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.close()
        return content
    return response.content


def pattern(url: str) -> str:
    """The URL's shape: digits in the path as N, and the query's keys without their values."""
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"[0-9]+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl_role(role, user, start, out_dir, *, cap, per_pattern, chain, skip_pdf, hosts):
    """Breadth-first from `start`. Two limits keep it finite and quick, both deterministic:

    - at most `per_pattern` URLs of one shape (`pattern`), e.g. 60 of the 2,340 target pages;
    - at most `chain` hops from a page to another of the same shape: previous/next links
      (years, quarters) otherwise run on without end (2007/08 ... 2046/47 and beyond).
    URLs left out by a limit are listed in the index with status `skipped`.
    """
    from django.conf import settings
    from django.test import Client

    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    role_dir = out_dir / role
    role_dir.mkdir(parents=True)
    queue = collections.deque([(start, 0)])
    seen = {start}
    shapes = collections.Counter([pattern(start)])
    rows: list[tuple[str, str, str, str]] = []
    statuses: collections.Counter = collections.Counter()
    errors: list[tuple[str, str]] = []
    timings: list[tuple[float, str]] = []
    fetched = 0

    def skip(url: str, reason: str) -> None:
        rows.append((url, "skipped", reason, "-"))
        statuses[f"skipped {reason}"] += 1

    while queue:
        url, hops = queue.popleft()
        reason = skip_reason(url, skip_pdf)
        if reason:
            skip(url, reason)
            continue
        if fetched >= cap:
            print(f"  {role}: CAP of {cap} pages hit; {len(queue) + 1} URLs not fetched")
            for left, _ in [(url, hops), *queue]:
                skip(left, "cap")
            break
        fetched += 1
        started = time.perf_counter()
        response = client.get(url)
        body = response_body(response)
        timings.append((time.perf_counter() - started, url))
        content_type = response.get("Content-Type", "")
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            errors.append((url, repr(exc[1]) if exc else ""))
        header = [f"url: {url}", f"status: {response.status_code}", f"content-type: {content_type}"]
        for name in ("Location", "Content-Disposition"):
            if response.has_header(name):
                header.append(f"{name.lower()}: {response[name]}")
        targets: list[str] = []
        if response.has_header("Location"):
            targets.append(response["Location"])
        if content_type.startswith("text/html"):
            text = body.decode(response.charset or "utf-8", errors="replace")
            secret = client.cookies.get(settings.CSRF_COOKIE_NAME)
            content = normalise(text, secret.value if secret else None)
            targets.extend(links(text))
        elif content_type.startswith(TEXT_BODY_TYPES):
            content = body.decode(response.charset or "utf-8", errors="replace")
        else:
            header.append(f"size: {len(body)}")
            content = ""
        name = file_name(url, content_type)
        (role_dir / name).write_text("\n".join(header) + "\n\n" + content, encoding="utf-8")
        rows.append((url, str(response.status_code), content_type, name))
        shape = pattern(url)
        for href in targets:
            target = same_site(url, href, hosts)
            if target is None or target in seen:
                continue
            seen.add(target)
            target_shape = pattern(target)
            target_hops = hops + 1 if target_shape == shape else 0
            if target_hops > chain:
                skip(target, "chain")
            elif shapes[target_shape] >= per_pattern:
                skip(target, "per-pattern")
            else:
                shapes[target_shape] += 1
                queue.append((target, target_hops))
    rows.sort()
    with (role_dir / "index.tsv").open("w", encoding="utf-8") as index:
        index.write("url\tstatus\tcontent-type\tfile\n")
        for row in rows:
            index.write("\t".join(row) + "\n")
    slowest = sorted(timings, reverse=True)[:5]
    return fetched, statuses, errors, slowest


def crawl(out_dir: Path, *, roles: list[str], **limits) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    if out_dir.exists():
        sys.exit(f"{out_dir} already exists: choose a new --out directory")
    out_dir.mkdir(parents=True)
    hosts = {"testserver", urlsplit(settings.SITE_URL).netloc}
    User = get_user_model()
    started = time.perf_counter()
    summary = []
    with freeze_time():
        for role in roles:
            role_started = time.perf_counter()
            if role == ANONYMOUS:
                user, start = None, "/public/"
            else:
                user, start = User.objects.get(username=role), "/"
            fetched, statuses, errors, slowest = crawl_role(
                role, user, start, out_dir, hosts=hosts, **limits
            )
            seconds = time.perf_counter() - role_started
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str))
            print(f"  {role:<12} {fetched:>5} pages in {seconds:6.1f} s  ({counts})", flush=True)
            for url, error in errors:
                print(f"    5xx {url} {error}", flush=True)
            print("    slowest: " + ", ".join(f"{u} {t:.2f} s" for t, u in slowest), flush=True)
            summary.append((role, fetched))
    total = sum(n for _, n in summary)
    print(f"crawled {total} pages in {time.perf_counter() - started:.1f} s into {out_dir}")


# ---------------------------------------------------------------------------------------------
# Comparing two snapshots


def read_index(role_dir: Path) -> dict[str, tuple[str, str, str]]:
    rows = {}
    with (role_dir / "index.tsv").open(encoding="utf-8") as index:
        next(index)
        for line in index:
            url, status, content_type, name = line.rstrip("\n").split("\t")
            rows[url] = (status, content_type, name)
    return rows


def compare(a: Path, b: Path, diff_lines: int) -> int:
    def roles(root: Path) -> set[str]:
        return {p.parent.name for p in root.glob("*/index.tsv")}

    differences = 0
    roles_a, roles_b = roles(a), roles(b)
    for role in sorted(roles_a ^ roles_b):
        print(f"role {role}: only in {a if role in roles_a else b}")
        differences += 1
    for role in sorted(roles_a & roles_b):
        index_a, index_b = read_index(a / role), read_index(b / role)
        only_a = sorted(set(index_a) - set(index_b))
        only_b = sorted(set(index_b) - set(index_a))
        for url in only_a:
            print(f"[{role}] only in {a}: {url}  ({index_a[url][0]})")
        for url in only_b:
            print(f"[{role}] only in {b}: {url}  ({index_b[url][0]})")
        differences += len(only_a) + len(only_b)
        changed = 0
        for url in sorted(set(index_a) & set(index_b)):
            row_a, row_b = index_a[url], index_b[url]
            text_a = (a / role / row_a[2]).read_text(encoding="utf-8") if row_a[2] != "-" else ""
            text_b = (b / role / row_b[2]).read_text(encoding="utf-8") if row_b[2] != "-" else ""
            if row_a == row_b and text_a == text_b:
                continue
            changed += 1
            print(f"[{role}] differs: {url}  ({row_a[0]} {row_a[1]} | {row_b[0]} {row_b[1]})")
            diff = list(
                difflib.unified_diff(
                    text_a.splitlines(),
                    text_b.splitlines(),
                    f"{a}/{role}/{row_a[2]}",
                    f"{b}/{role}/{row_b[2]}",
                    lineterm="",
                )
            )
            for line in diff[:diff_lines]:
                print(f"    {line}")
            if len(diff) > diff_lines:
                print(f"    ... {len(diff) - diff_lines} more diff lines")
        differences += changed
        print(
            f"{role}: {len(set(index_a) & set(index_b))} URLs in both, {changed} differ, "
            f"{len(only_a)} only in A, {len(only_b)} only in B",
            flush=True,
        )
    print("IDENTICAL" if differences == 0 else f"DIFFERENT: {differences} differences")
    return 1 if differences else 0


_FORM = re.compile(r"<form\b.*?</form>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return _SPACE.sub(" ", _TAG.sub(" ", html)).strip()


def explain(a: Path, b: Path) -> int:
    """Sort the differing HTML pages of two snapshots into: differing only inside <form>
    elements (markup of fields, labels, hints, errors) or outside them (whitespace ignored);
    and list every page whose visible text differs, with the first changes. Exit 1 when a page
    differs outside a form or in its visible text."""
    inside, outside, worded = 0, Counter(), Counter()
    first: dict[str, str] = {}
    for index_path in sorted(a.glob("*/index.tsv")):
        role = index_path.parent.name
        index_a, index_b = read_index(a / role), read_index(b / role)
        for url in sorted(set(index_a) & set(index_b)):
            name_a, name_b = index_a[url][2], index_b[url][2]
            if not name_a.endswith(".html") or not name_b.endswith(".html"):
                continue
            html_a = (a / role / name_a).read_text(encoding="utf-8")
            html_b = (b / role / name_b).read_text(encoding="utf-8")
            if html_a == html_b:
                continue
            shape = f"{role} {re.sub(r'[0-9]+', 'N', url.split('?')[0])}"
            bare_a = _SPACE.sub(" ", _FORM.sub("<form/>", html_a))
            bare_b = _SPACE.sub(" ", _FORM.sub("<form/>", html_b))
            if bare_a == bare_b:
                inside += 1
            else:
                outside[shape] += 1
            words_a, words_b = _visible_text(html_a).split(" "), _visible_text(html_b).split(" ")
            if words_a != words_b:
                worded[shape] += 1
                changes = [
                    f"{' '.join(words_a[i1:i2])!r} -> {' '.join(words_b[j1:j2])!r}"
                    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
                        None, words_a, words_b, autojunk=False
                    ).get_opcodes()
                    if op != "equal"
                ]
                first.setdefault(shape, f"{url}: " + "; ".join(changes[:3]))
    print(f"pages differing only inside <form> elements: {inside}")
    print(f"pages differing outside <form> elements: {sum(outside.values())}")
    for shape, count in outside.most_common():
        print(f"  {count:5} {shape}")
    print(f"pages whose visible text differs: {sum(worded.values())}")
    for shape, count in worded.most_common():
        print(f"  {count:5} {shape}  e.g. {first[shape]}")
    return 1 if outside or worded else 0


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, help="SQLite file to use (and to seed)")
    parser.add_argument("--seed-db", action="store_true", help="migrate and seed_demo it if absent")
    parser.add_argument(
        "--pristine-copy",
        type=Path,
        help="with --seed-db: copy the database just after seeding (before any crawl) to here",
    )
    parser.add_argument(
        "--from-db",
        type=Path,
        help="crawl a fresh temporary copy of this pristine database (and its .media directory)",
    )
    parser.add_argument("--out", type=Path, help="directory for the snapshot (must not exist)")
    parser.add_argument("--cap", type=int, default=4000, help="pages per role (default 4000)")
    parser.add_argument(
        "--per-pattern", type=int, default=60, help="URLs of one shape per role (default 60)"
    )
    parser.add_argument(
        "--chain", type=int, default=3, help="hops between pages of one shape (default 3)"
    )
    parser.add_argument("--skip-pdf", action="store_true", help="record PDF URLs, don't fetch")
    parser.add_argument("--roles", default=",".join([*ROLES, ANONYMOUS]))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("DIR_A", "DIR_B"))
    parser.add_argument("--diff-lines", type=int, default=40, help="diff lines shown per file")
    parser.add_argument(
        "--explain",
        nargs=2,
        type=Path,
        metavar=("DIR_A", "DIR_B"),
        help="sort differing pages: inside forms only, outside them, visible text changed",
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.compare:
        return compare(*args.compare, args.diff_lines)
    if args.explain:
        return explain(*args.explain)
    if args.seed_only:
        seed(args.database)
        return 0
    if args.from_db and (args.seed_db or args.database):
        parser.error("--from-db crawls a temporary copy: give neither --database nor --seed-db")
    if args.pristine_copy and not args.seed_db:
        parser.error("--pristine-copy needs --seed-db")
    if args.from_db:
        workdir = Path(tempfile.mkdtemp(prefix="crawl-db-"))
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        database = (workdir / "crawl.sqlite3").resolve()
        copy_database(args.from_db.resolve(), database)
        print(f"copied {args.from_db} to {database}")
    elif args.database:
        database = args.database.resolve()
    else:
        parser.error("give --database, --from-db or --compare")
    if args.seed_db:
        if database.exists():
            print(f"{database} exists: not seeding")
        else:
            database.parent.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            command = [sys.executable, __file__, "--database", str(database), "--seed-only"]
            subprocess.run(command, check=True)
            print(f"seeded {database} in {time.perf_counter() - started:.1f} s")
            if args.pristine_copy:
                copy_database(database, args.pristine_copy.resolve())
                print(f"pristine copy: {args.pristine_copy}")
    if args.out is None:
        return 0
    if not database.exists():
        sys.exit(f"{database} does not exist: add --seed-db")
    setup_django(database)
    migrate_if_needed()
    crawl(
        args.out.resolve(),
        cap=args.cap,
        per_pattern=args.per_pattern,
        chain=args.chain,
        skip_pdf=args.skip_pdf,
        roles=[r for r in args.roles.split(",") if r],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

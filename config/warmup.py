"""A new server process computes the council-wide figures before its first reader asks (issue 23).

The dashboard's statuses and forecasts, the indicator list, the collection page and the data
quality board are kept per process (`performance.common.cache`): the first view of each in a
new process computes them for the whole council (about a second of CPU at the stress scale, the
data quality board's SPC history most of it), and on deadline day that first view is a person
waiting. `warm()` renders those pages once, in the process, as a performance officer and a
member would see them (their keys are the ones real views use, so nothing is guessed), and
throws the pages away. `start()` runs it in a background thread; gunicorn calls it when a worker
has started (config/gunicorn.conf.py). A failure is logged and changes nothing: the pages are
then computed on their first view, as before.
"""

from __future__ import annotations

import logging
import threading
import time

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.test import RequestFactory
from django.urls import resolve
from django_htmx.middleware import HtmxDetails

from performance.core.roles import Role

logger = logging.getLogger(__name__)

PAGES = {
    Role.PERFORMANCE_OFFICER: ("/", "/indicators/", "/collection/", "/data-quality/"),
    Role.MEMBER: ("/", "/indicators/"),
}


def warm() -> dict[str, int]:
    """Render the council-wide pages once as the first active person of each role; returns
    each page's status code by role and path (pages of a role nobody holds are left out)."""
    done: dict[str, int] = {}
    factory = RequestFactory()
    for role, paths in PAGES.items():
        person = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=role.value)
            .order_by("pk")
            .first()
        )
        if person is None:
            continue
        for path in paths:
            request = factory.get(path)
            request.user = person
            request.session = SessionBase()  # read only, never saved
            request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
            match = resolve(path)
            response = match.func(request, *match.args, **match.kwargs)
            done[f"{role.value} {path}"] = response.status_code
    return done


def _run() -> None:
    started = time.perf_counter()
    try:
        done = warm()
        logger.info("warmed %d pages in %.1f s", len(done), time.perf_counter() - started)
    except Exception:  # a warm-up that fails leaves the first views to compute, as before
        logger.exception("warm-up failed; the first views compute the figures")
    finally:
        connection.close()


def start() -> threading.Thread:
    """Warm this process in a background thread (it serves meanwhile)."""
    thread = threading.Thread(target=_run, name="summit-warm-up", daemon=True)
    thread.start()
    return thread

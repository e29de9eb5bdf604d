"""PostgreSQL restarted under the running app: requests fail cleanly, then recover by themselves.

The app runs under gunicorn against a PostgreSQL cluster of the test's own (so stopping it harms
nobody). While the database is down a page answers with an error page and no traceback, and the
health check says which part is down; once it is back, the very next requests succeed on the
same gunicorn workers (CONN_HEALTH_CHECKS replaces the dead persistent connections).
"""

from __future__ import annotations

import pytest

from tests.reliability.app_server import Browser, Gunicorn, app_env, manage

LEAKS = ("Traceback", 'File "/', "psycopg", "OperationalError", "SECRET_KEY", "settings.py")


@pytest.fixture
def app_on_own_postgres(postgres_cluster, tmp_path):
    postgres_cluster.createdb("summit_restart")
    env = app_env(tmp_path / "var", DATABASE_URL=postgres_cluster.url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from tests.factories import UserFactory; from performance.core.roles import Role; "
        "UserFactory(username='restart', roles=[Role.PERFORMANCE_OFFICER])",
    )
    server = Gunicorn(env)
    try:
        yield server, postgres_cluster
    finally:
        server.stop()


def test_requests_fail_cleanly_while_postgres_is_down_and_recover_after(app_on_own_postgres):
    from tests.factories import PASSWORD

    server, cluster = app_on_own_postgres
    browser = Browser(server.base)
    assert browser.login("restart", PASSWORD).status == 200  # redirected to the dashboard
    assert browser.request("/").status == 200
    assert browser.request("/healthz").status == 200

    cluster.stop()
    down = browser.request("/")
    assert down.status in (500, 503), down.status
    assert not [leak for leak in LEAKS if leak in down.body], down.body[:2000]
    health = browser.request("/healthz")
    assert health.status == 503
    assert '"database": "OperationalError"' in health.body
    login_page = Browser(server.base).request("/accounts/login/")
    assert login_page.status in (200, 500, 503)
    assert "Traceback" not in login_page.body

    cluster.start()
    again = browser.request("/")
    assert again.status == 200, "the app must recover without a restart"
    assert "Sign out" in again.body or "sign out" in again.body.lower()
    assert browser.request("/healthz").status == 200

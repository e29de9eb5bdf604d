"""Sessions: a session older than SESSION_COOKIE_AGE is rejected, a younger one still works."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from performance.core.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_session_is_rejected_once_older_than_the_cookie_age(client):
    user = UserFactory(roles=[Role.DATA_ENTERER])
    age = settings.SESSION_COOKIE_AGE
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _sign_in(client, user)
        assert client.get("/").status_code == 200
        clock.move_to(start + dt.timedelta(seconds=age - 60))
        assert client.get("/").status_code == 200, "a session within its age must still work"
    # Not refreshed by those requests (SESSION_SAVE_EVERY_REQUEST is off): the age counts from
    # sign-in, so a shared PC left signed in ends its session after at most eight hours.
    with time_machine.travel(start + dt.timedelta(seconds=age + 1), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith(settings.LOGIN_URL.join(["/accounts/", "/"]))


def test_the_session_age_setting_is_honoured(client, settings):
    settings.SESSION_COOKIE_AGE = 120
    user = UserFactory(roles=[Role.DATA_ENTERER])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _sign_in(client, user)
    with time_machine.travel(start + dt.timedelta(seconds=100), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=121), tick=False):
        assert client.get("/").status_code == 302


def test_sign_out_ends_the_session_on_the_server(client):
    user = UserFactory(roles=[Role.DATA_ENTERER])
    _sign_in(client, user)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen  # replaying the old cookie
    assert client.get("/").status_code == 302

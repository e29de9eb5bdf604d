"""The header's unread count on every page (issue 19): fetched by htmx after the page loads, so
no page pays its query; the same number as the notifications list; a plain link without
JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.performance.home.test_notifications import manage, submit, world  # noqa: F401

pytestmark = pytest.mark.django_db

UNREAD = reverse("notifications-unread")


def test_other_pages_fetch_the_count_after_loading_and_it_matches_the_list(client, world):  # noqa: F811
    submit(world, "WAS 001", "96")
    manage(world, "WAS 001", "return")
    client.force_login(world.users["enterer_a"])
    page = client.get(reverse("performance:indicator-list")).content.decode()
    assert f'hx-get="{UNREAD}" hx-trigger="load"' in page
    assert "unread)" not in page  # the page itself did not count
    response = client.get(UNREAD)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode().strip() == (
        '<span class="summit-header__unread">(1 unread)</span>'
    )
    client.post(reverse("notifications"))  # mark all as read
    assert client.get(UNREAD).content.decode().strip() == ""


def test_the_count_needs_a_sign_in(client):
    response = client.get(UNREAD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

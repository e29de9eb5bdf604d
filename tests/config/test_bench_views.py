"""The bench's reference views: what every page is measured against must itself be right."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import include, path

from config.urls import urlpatterns as app_urls
from tests.factories import UserFactory

urlpatterns = [path("", include("config.bench_urls")), *app_urls]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_the_trivial_view_runs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/trivial")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_floor_is_a_signed_in_page_with_only_the_layout(client, django_assert_max_num_queries):
    assert client.get("/bench/floor").status_code == 302
    client.force_login(UserFactory())
    client.get("/bench/floor")
    with django_assert_max_num_queries(3):  # session, user, roles
        response = client.get("/bench/floor")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sign out" in page
    assert "<h1" in page
    assert "Floor" in page


@override_settings(DEBUG=False)
def test_the_bench_urls_are_not_in_the_app():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/bench/trivial", urlconf="config.urls")

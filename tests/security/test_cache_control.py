"""Issue 14: nothing shown to a signed-in user stays in the browser cache after sign-out.

Every response to a signed-in user says `Cache-Control: private, no-store` (pages, htmx
fragments, downloads); the anonymous /public/ pages keep their own caching.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import SignedInNoStoreMiddleware
from performance.core.roles import Role
from tests.factories import UserFactory
from tests.reach_summit.conftest import build_team

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"
QUARTER = "2024-25-q1"


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory(username="cllr", roles=[Role.MEMBER]))
    return client


def test_a_signed_in_page_is_not_stored(member_client):
    response = member_client.get("/reach-the-summit/", {"quarter": QUARTER})
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_an_htmx_fragment_is_not_stored(member_client):
    response = member_client.get("/reach-the-summit/", {"quarter": QUARTER}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_an_excel_download_is_not_stored(member_client):
    build_team("Alpha")
    response = member_client.get("/reach-the-summit/league-table.xlsx", {"quarter": QUARTER})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == NO_STORE


def test_an_anonymous_public_page_is_not_marked_no_store(client):
    response = client.get("/public/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_cache_control_the_view_set_is_kept():
    request = RequestFactory().get("/public/")
    request.COOKIES["sessionid"] = "x"
    request.user = UserFactory()

    def view(_request):
        response = HttpResponse("public")
        response["Cache-Control"] = "public, max-age=600"
        return response

    assert SignedInNoStoreMiddleware(view)(request)["Cache-Control"] == "public, max-age=600"

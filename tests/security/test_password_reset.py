"""Password reset applies the same password policy as password change, and links are single-use."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from performance.core.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _set_password_page(client, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(f"/accounts/reset/{uid}/{token}/")
    # Django swaps the token for a session marker and redirects to the set-password form.
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("4815162342", "entirely numeric"),
        ("jo.bloggs-2025", "too similar"),
    ],
)
def test_a_weak_new_password_is_refused_naming_the_rule(client, password, reason):
    user = UserFactory(username="jo.bloggs", email="jo.bloggs@example.gov.uk")
    url = _set_password_page(client, user)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert reason in body.lower()
    user.refresh_from_db()
    assert user.check_password(PASSWORD), "the old password must be kept"


def test_a_strong_password_is_accepted_and_the_link_cannot_be_used_twice(client):
    user = UserFactory(roles=[Role.DATA_ENTERER])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = _set_password_page(client, user)
    strong = "Heron-Lantern-42-Quay"
    response = client.post(url, {"new_password1": strong, "new_password2": strong})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
    again = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    assert "This link has expired" in again.content.decode()


def test_the_reset_request_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    UserFactory(username="known", email="known@example.gov.uk")
    known = client.post("/accounts/password-reset/", {"email": "known@example.gov.uk"})
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.gov.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(mailoutbox) == 1

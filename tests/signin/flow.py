"""Driving the real provider's own login page with `requests`, for the Django test client."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

TEST_SERVER = "http://testserver"


def start(client, next_url: str = "") -> str:
    """Summit's redirect to the provider's authorization endpoint."""
    response = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    return response["Location"]


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def at_provider(authorize_url: str, login: str, browser: requests.Session | None = None) -> str:
    """Sign in as `login` on the provider's page; the callback URL it sends the browser to."""
    browser = browser or requests.Session()
    url = authorize_url
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200:
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, response.text
            response = browser.post(
                urljoin(url, action.group(1)),
                data={"prompt": "login", "login": login, "password": "any"},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if url.startswith(TEST_SERVER):
            return url
    raise AssertionError(f"the provider never sent the browser back: {url}")


def sign_in(client, login: str) -> object:
    """The whole flow: Summit → provider login → Summit's callback (its response)."""
    callback = at_provider(start(client), login)
    return client.get(callback.removeprefix(TEST_SERVER))

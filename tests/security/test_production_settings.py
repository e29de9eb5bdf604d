"""With HTTPS=true the real responses carry HSTS and every cookie is Secure and HttpOnly.

`check --deploy` itself is tested in tests/config/test_settings.py; this looks at the headers and
cookies a browser would actually receive, in a fresh interpreter with production settings.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.config.test_settings import PRODUCTION_ENV, ROOT, _clean_env

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from performance.core.roles import Role
from tests.factories import PASSWORD, UserFactory
user = UserFactory(roles=[Role.DATA_ENTERER])
client = Client(HTTP_HOST="performance.example.gov.uk")
plain = client.get("/accounts/login/")
login_page = client.get("/accounts/login/", secure=True)
token = login_page.cookies["csrftoken"].value
signed_in = client.post(
    "/accounts/login/",
    {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    secure=True,
)
cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
                  "samesite": c["samesite"], "max_age": c["max-age"], "expires": c["expires"]}
           for response in (login_page, signed_in) for name, c in response.cookies.items()}
print(json.dumps({
    "redirect": [plain.status_code, plain.headers.get("Location")],
    "hsts": login_page.headers.get("Strict-Transport-Security"),
    "signed_in": signed_in.status_code,
    "cookies": cookies,
    "frame": login_page.headers.get("X-Frame-Options"),
    "nosniff": login_page.headers.get("X-Content-Type-Options"),
    "referrer": login_page.headers.get("Referrer-Policy"),
    "csp": login_page.headers.get("Content-Security-Policy"),
    "debug": settings.DEBUG,
}))
"""


def test_production_responses_use_hsts_secure_cookies_and_redirect_to_https(tmp_path):
    env = _clean_env(
        tmp_path,
        **{
            **PRODUCTION_ENV,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            # The manifest needs collectstatic; the headers do not depend on it.
            "STATIC_MANIFEST": "false",
        },
    )
    env.pop("REDIS_URL")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["redirect"] == [301, "https://performance.example.gov.uk/accounts/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["signed_in"] == 302
    assert {"csrftoken", "sessionid"} <= set(seen["cookies"])
    for name, cookie in seen["cookies"].items():
        assert cookie["secure"], f"{name} cookie is not Secure"
        assert cookie["httponly"], f"{name} cookie is readable by scripts"
        assert cookie["samesite"] == "Lax", name
    # Sessions end when the browser closes (shared council PCs): no persistent expiry.
    assert seen["cookies"]["sessionid"]["max_age"] == ""
    assert seen["cookies"]["sessionid"]["expires"] == ""
    assert seen["frame"] == "DENY"
    assert seen["nosniff"] == "nosniff"
    assert seen["referrer"] == "same-origin"
    assert "script-src 'self'" in seen["csp"]

"""Authentication backends: the provider's (OpenID Connect through mozilla-django-oidc) and the
local passwords' (Django's ModelBackend, narrowed to break-glass administrators when
LOCAL_LOGIN=false)."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from performance.common import access, identity
from performance.signin import services

LOGGER = logging.getLogger(__name__)
LEEWAY_SECONDS = 60  # clock skew allowed between Summit and the provider
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]


def local_login_open() -> bool:
    """Whether everyone may sign in with a password: LOCAL_LOGIN, or no provider to use instead."""
    return settings.LOCAL_LOGIN or not identity.configured()


class LocalBackend(ModelBackend):
    """Passwords. With LOCAL_LOGIN=false (and a provider), only superusers and performance
    officers (break-glass, at /accounts/login/?local=1); everyone else signs in at the provider."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return local_login_open() or user.is_superuser or access.is_performance_officer(user)


class ProviderBackend(OIDCAuthenticationBackend):
    """The provider's sign-in: endpoints from its discovery document, the ID token's signature,
    issuer, audience, expiry and nonce checked, the person found or created and their roles and
    teams set from the mappings (`services.sign_in`).

    A refusal is left on the request (`request.signin_refusal`) for the callback's page.
    """

    def __init__(self, *args, **kwargs):
        # mozilla-django-oidc reads the endpoints from settings here; ours come from the
        # discovery document, read only when a sign-in needs them (`_load_endpoints`), so that
        # restoring a session (`get_user`) never calls the provider.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def _load_endpoints(self) -> None:
        document = identity.discovery()
        self.issuer = document["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs:
            return None  # a password sign-in: not ours
        # Django sends user_login_failed whenever this returns None: the callback need not.
        request.signin_attempted = True
        try:
            self._load_endpoints()
            return super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,
            jwt.InvalidTokenError,
            requests.RequestException,
            identity.Unavailable,
            KeyError,
            ValueError,
        ) as error:
            # Django then sends user_login_failed: django-axes counts it against the address.
            LOGGER.warning("OpenID Connect sign-in refused: %s", error)
            request.signin_refusal = "failed"
            return None

    def _verify_jws(self, payload, key):
        """The signature (by the provider's key, in the expected algorithm), and the claims
        mozilla-django-oidc leaves unchecked: issuer, audience, expiry and issue time."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        claims = jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=self.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        # OpenID Connect Core §3.1.3.7: with several audiences, azp must be this client.
        several = isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token's authorised party is another client")
        return claims

    def verify_token(self, token, **kwargs):
        if not kwargs.get("nonce"):
            raise SuspiciousOperation("No nonce was sent for this sign-in")
        return super().verify_token(token, **kwargs)

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's (never overriding the
        signed ones): Entra ID sends groups in the ID token, others at userinfo."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") not in (None, payload["sub"]):
                raise SuspiciousOperation("userinfo is about another subject")
            for name, value in extra.items():
                claims.setdefault(name, value)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        outcome = services.sign_in(
            claims,
            issuer=self.issuer,
            provider=settings.OIDC_PROVIDER_NAME,
            claim=settings.OIDC_ROLES_CLAIM,
        )
        if outcome.user is None:
            self.request.signin_refusal = outcome.refusal
        return outcome.user

    def get_user(self, user_id):
        """A restored session ends when the person has been deactivated."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

"""Summit settings: one file, read from the environment, with defaults that run on a laptop.

The embedded default (nothing set) is SQLite under var/, Celery on a file-system broker, and
email written to files under var/mail/. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS, HTTPS=true and the EMAIL_* variables (see README "Deploy").
"""

from __future__ import annotations

import secrets
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("SUMMIT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.boolean("DEBUG", False)
# HTTPS=true says the site is served over TLS (directly or behind a proxy that sets
# X-Forwarded-Proto); it switches on secure cookies, HSTS and the HTTPS redirect.
HTTPS = env.boolean("HTTPS", False)


def _secret_key() -> str:
    value = env.raw("SECRET_KEY")
    if value is not None:
        if len(value) < 50 or len(set(value)) < 5:
            raise ImproperlyConfigured(
                "Environment variable SECRET_KEY is too short: use at least 50 random characters."
            )
        return value
    if HTTPS:
        raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when HTTPS=true.")
    # Local runs: a random key kept under var/ so sessions survive a restart; never committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
COUNCIL_NAME = env.string("COUNCIL_NAME", "Demo Borough Council")
# Issue 19 (GOV.UK basics): the phase banner ("alpha" or "beta"; "none" hides it) and the
# addresses the accessibility statement and privacy notice give; empty means one made from
# COUNCIL_NAME (performance/common/govuk.py: accessibility@demo.gov.uk for the demo).
PHASE_BANNER = env.string("PHASE_BANNER", "beta").lower()
if PHASE_BANNER not in {"alpha", "beta", "none"}:
    raise ImproperlyConfigured("Environment variable PHASE_BANNER must be alpha, beta or none.")
ACCESSIBILITY_CONTACT_EMAIL = env.string("ACCESSIBILITY_CONTACT_EMAIL", "")
DATA_PROTECTION_EMAIL = env.string("DATA_PROTECTION_EMAIL", "")
# SPEC §5: a collection window closes at the end of its 10th day (configurable).
COLLECTION_WINDOW_DAYS = env.integer("COLLECTION_WINDOW_DAYS", 10, minimum=1)
# ONS/GSS code of the council's own authority, used by benchmarking (SPEC §8, §11).
COUNCIL_CODE = env.string("COUNCIL_CODE", "E07000110")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "performance",
    "performance.reports",
    "reach_summit",
    "benchmarking",
    "dataquality",
    # After django_otp: its admin module takes the devices out of the admin.
    "performance.accounts",
    "performance.signin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-step verification (issue 15): request.user.is_verified(), then the step a password
    # sign-in still owes (performance/accounts/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "performance.accounts.middleware.TwoFactorMiddleware",
    "config.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "performance.common.context_processors.summit",
            ],
        },
    }
]

# Forms render with the project's templates: one GOV.UK field template for every form.
FORM_RENDERER = "performance.common.forms.GovukFormRenderer"

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'summit.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url("REDIS_URL")
# The cache is per process (locmem) even when Redis is there, on purpose: Redis is the Celery
# broker, and pages and data entry must keep working while it is down (issue 9). Django's
# RedisCache raises on every get/set when Redis is unreachable, so a page that cached anything
# would fail with it. Sessions and login throttling are in the database, not the cache. Anything
# cached must therefore be safe per process: key it by what it depends on (e.g. a row's
# `updated_at` or version) so no cross-process invalidation is needed.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "summit",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# The API's per-token rate limit is counted where every web server sees it: Redis when it is
# there. It fails open (counts nothing) while Redis is down, like the rest of the app keeps
# working (performance.api.throttling).
if REDIS_URL:
    CACHES["api"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "summit-api",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
else:
    CACHES["api"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}

# The API (SPEC §15): bearer tokens only (no session, so no CSRF), exact-decimal JSON and CSV.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["performance.api.authentication.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "performance.api.renderers.ExactJSON",
        "performance.api.renderers.Csv",
    ],
    "DEFAULT_PARSER_CLASSES": ["performance.api.parsers.ExactJSON"],
    "DEFAULT_THROTTLE_CLASSES": ["performance.api.throttling.PerToken"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "UNAUTHENTICATED_TOKEN": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Summit API",
    "DESCRIPTION": "Performance figures for Power BI and the council's systems (SPEC §15).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The risks' above_appetite and kri_alert share one yes/no choice set: one schema name.
    "ENUM_NAME_OVERRIDES": {"YesNoEnum": "performance.api.serializers.YES_NO"},
}
API_RATE_LIMIT = env.string("API_RATE_LIMIT", "600/minute")
API_TOKEN_MAX_DAYS = env.integer("API_TOKEN_MAX_DAYS", 366, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that, with LOCAL_LOGIN=false, lets only break-glass administrators in.
    "performance.signin.backends.LocalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-step verification of local passwords (issue 15; performance/accounts): TOTP and recovery
# codes through django-otp. Officers turn it on at /accounts/two-factor/; REQUIRE_2FA_FOR_OFFICERS
# makes every officer who signs in with a password set it up before anything else. Sign-ins
# through these backends skip it: the identity provider enforces its own multi-factor sign-in.
REQUIRE_2FA_FOR_OFFICERS = env.boolean("REQUIRE_2FA_FOR_OFFICERS", False)
TWO_FACTOR_EXEMPT_BACKENDS = ["performance.signin.backends.ProviderBackend"]
OTP_TOTP_ISSUER = "Summit"
# Wrong codes are limited by performance.accounts.services (5 per 15 minutes, audited), not by
# django-otp's doubling delay per device, which would also slow a right code after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Signing in with the council's identity provider (SPEC §16; issue 15): OpenID Connect through
# mozilla-django-oidc (performance/signin), authorization code flow with PKCE; the endpoints
# come from the issuer's discovery document. Nothing set: local passwords only, as before.
OIDC_ISSUER = env.http_url("OIDC_ISSUER")
OIDC_CLIENT_ID = env.string("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env.string("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = env.string("OIDC_PROVIDER_NAME", "your council account")
# The ID token (or userinfo) claim holding group or app role values (Entra ID: "groups" or
# "roles"); Manage → Sign-in mappings maps each value to a role and optionally a team.
OIDC_ROLES_CLAIM = env.string("OIDC_ROLES_CLAIM", "groups")
# false hides the password form; /accounts/login/?local=1 still takes the password of a
# superuser or performance officer (break-glass). Ignored while no provider is configured.
LOCAL_LOGIN = env.boolean("LOCAL_LOGIN", True)
# Whom a person without a mapped role is told to ask (default: the performance officers' names).
SIGNIN_HELP_CONTACT = env.string("SIGNIN_HELP_CONTACT", "")
if OIDC_ISSUER:
    if not OIDC_CLIENT_ID or not OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too."
        )
    AUTHENTICATION_BACKENDS.append("performance.signin.backends.ProviderBackend")
OIDC_RP_CLIENT_ID = OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = OIDC_CLIENT_SECRET
OIDC_RP_SIGN_ALGO = env.string("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of RP-initiated logout
OIDC_TIMEOUT = 10
OIDC_CALLBACK_CLASS = "performance.signin.views.Callback"
OIDC_AUTHENTICATE_CLASS = "performance.signin.views.Start"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"

# Login throttling (django-axes): five failures for one username from one address lock that
# pair for 15 minutes, and three times as many from one address across any usernames (password
# spraying) lock the address (config/login_throttle.py); the page says so without revealing
# whether the account exists.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = 3 * AXES_FAILURE_LIMIT
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "config.login_throttle.LoginThrottle"
# Behind the TLS proxy every request comes from the proxy's address: the client's is read from
# X-Forwarded-For, trusting as many right-most entries as there are proxies. (Axes' own
# AXES_IPWARE_* settings need django-ipware, which is not installed, so they did nothing.)
TRUSTED_PROXIES = env.integer("TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_ip"

# Reset emails one person can be sent in an hour (config/views.py); more are dropped silently.
PASSWORD_RESET_EMAILS_PER_HOUR = 3

SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.timezone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env.boolean("STATIC_MANIFEST", True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads: form data (not files) over 6 MB is refused; a file over 6 MB streams to a temporary
# file instead of memory, and each upload view checks its own size limit. The proxy in front
# should cap the body too (client_max_body_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# Uploaded files (evidence) live outside the web root and are served by views that check
# permission, never by whitenoise.
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail/.
EMAIL_HOST = env.raw("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Summit <performance@example.gov.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker and result backend when REDIS_URL is set. Without it, the embedded
# default is Kombu's file-system transport and a file result backend under var/celery/: a real
# worker with an embedded beat runs the schedule on one machine with no server to install.
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may outlive the broker's visibility timeout (below): a task still running when Redis
# hands it to another worker would run twice. A whole worker that dies gets its tasks back
# after the visibility timeout: 15 minutes, not Kombu's hour.
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 600, minimum=60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 7 * 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.string("CELERY_QUEUE", "summit")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
else:
    CELERY_DIR = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "results", "control"):
        (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DIR / 'results'}"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# SPEC §5: requests go out on the 1st at 07:00 London time (the window itself opens at 00:00;
# 07:00 puts the digest at the top of the morning's inbox). Tasks are idempotent, so a beat
# that fires twice or a worker that retries sends nothing twice.
CELERY_BEAT_SCHEDULE = {
    "quarterly-data-request": {
        "task": "performance.tasks.open_collection_round",
        "schedule": crontab(minute=0, hour=7, day_of_month=1, month_of_year="1,4,7,10"),
        "kwargs": {"kind": "quarterly"},
    },
    "strategic-actions-request": {
        "task": "performance.tasks.open_collection_round",
        "schedule": crontab(minute=0, hour=7, day_of_month=1, month_of_year="4,10"),
        "kwargs": {"kind": "strategic_actions"},
    },
    "monthly-data-request": {
        "task": "performance.tasks.open_collection_round",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
        "kwargs": {"kind": "monthly"},
    },
    # Every day at 07:30: the request digests (after the rounds open at 07:00; it also opens
    # them itself if that run was missed), day-7 chasers, day-9 manager digests, and after a
    # close the No data records and overdue summaries. Idempotent, so daily is safe.
    "collection-day": {
        "task": "performance.tasks.run_collection_day",
        "schedule": crontab(minute=30, hour=7),
    },
    # Freeze the Reach the Summit table of every quarter whose window has closed (idempotent).
    "freeze-reach-the-summit": {
        "task": "reach_summit.tasks.freeze_closed_quarters",
        "schedule": crontab(minute=30, hour=0),
    },
    # Publish tasks that were enqueued while the broker was unreachable (performance.common.outbox).
    "relay-outbox": {"task": "performance.outbox.relay_outbox", "schedule": 60.0},
    # Key risk indicator alerts follow the activated values (SPEC §14); a pass with no figure
    # changed costs two queries. Pages showing risks also bring them up to date before reading.
    "risk-alerts": {"task": "performance.risks.tasks.check_kri_alerts", "schedule": 300.0},
    # The data quality policy's annual review: officers are reminded once per version when due.
    "policy-review-reminder": {
        "task": "dataquality.tasks.remind_policy_review",
        "schedule": crontab(minute=45, hour=7),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

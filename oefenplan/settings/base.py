"""Oefenplan settings shared by the app (`app`) and the test suite (`test`).

Everything that differs between machines comes from the environment:
DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL in production;
SQLite when unset), MEDIA_ROOT, DJANGO_HTTPS_ONLY (on unless DEBUG: secure
cookies, HSTS, redirect to HTTPS), mail (EMAIL_*); the secret key is set by
the module on top.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's session list
    "django_htmx",
    "template_partials",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "oefenplan.security",
    "oefenplan.ops",
    "django_tasks",
    "django_tasks_db",
    "exercises",
    "programs",
    "programs.handout",
]

MIDDLEWARE = [
    "oefenplan.ops.middleware.RequestLogMiddleware",  # first: times and logs every answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Sees every answer but the static files, redirects of the ones below included.
    "oefenplan.security.middleware.SecurityHeadersMiddleware",
    "oefenplan.security.middleware.AccessLogSourceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "oefenplan.uploads.RequestBodyLimitMiddleware",  # before anything reads a body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # before the security middleware, which answers htmx
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "oefenplan.security.middleware.SessionLimitsMiddleware",
    "oefenplan.security.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oefenplan.urls"
WSGI_APPLICATION = "oefenplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oefenplan.site_urls.header_urls",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after a
        # database restart the next request reconnects instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each transaction takes SQLite's write lock when it begins, not halfway:
    # two processes appending to the access log's hash chain wait for each
    # other instead of both reading the same last line (and one failing).
    #
    # Write-ahead logging: a commit (every page writes its access-log line) is
    # one write and one fsync of the log instead of a rollback journal's
    # writes, two fsyncs and a delete, and the app's readers never wait for a
    # writer. synchronous=FULL keeps every committed line on disk through a
    # power cut, as NEN 7513 asks of the log. The mode stays with the file; the
    # backup command copies through SQLite's backup API, which includes the WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords: at least 12 characters (ASVS 2.1.1), not one of the 20,000
# most common, not the username, not only digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "oefenplan.security.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "therapist:patient_list"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in: django-allauth (login, throttling, password change and reset by
# e-mail, TOTP with recovery codes, passkeys, the list of one's sessions).
# Accounts are made by a site admin; nobody signs up.
ACCOUNT_ADAPTER = "oefenplan.security.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # the session ends with the browser, or the limits below
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset never skips the second factor
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # no mail to addresses that are not ours
# Failed logins: 5 per account and 10 per address in 15 minutes, then wait; the
# cool-off ends by itself (counters in the cache, shared through Redis).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/15m/ip,5/15m/key",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "change_password": "5/15m/user",
    "reauthenticate": "10/15m/user",
}
MFA_ADAPTER = "oefenplan.security.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Oefenplan"
# A code typed as it rolls over, or from a phone whose clock is a little off,
# is still accepted: the periods either side count too (RFC 6238, 5.2). Each
# code still works once only.
MFA_TOTP_TOLERANCE = 1
# Sessions are listed from their sign-in (address, browser, time); activity is
# not tracked per request, which would cost two queries on every page.
USERSESSIONS_TRACK_ACTIVITY = False
# Where a signed-in user without a proven second factor may still go: the
# account pages (to enrol one), language, files, and the patient's own plan
# (which is opened by its link, not by a therapist's login).
SECOND_FACTOR_EXEMPT_PATHS = ("/accounts/", "/i18n/", "/static/", "/media/", "/p/", "/plan/")
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_MAX_AGE = 12 * 3600
SESSION_COOKIE_AGE = SESSION_MAX_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Mail (password reset): SMTP from the environment; printed to the console
# only in DEBUG, so a reset link never lands in a production log.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Oefenplan <noreply@localhost>")
if DEBUG and not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Dutch first, English second. Message ids are English; both catalogues are complete.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production runs collectstatic into STATIC_ROOT; without it WhiteNoise serves
# straight from the app folders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    # Uploaded photos: MEDIA_ROOT on this disk, or an object store (below).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes gzip and Brotli copies with hashed names; WhiteNoise
    # (or nginx, in front) serves the compressed copy and caches hashed files
    # for a year.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_ROOT
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded photos are served by Django itself unless a front server takes over.
SERVE_MEDIA = env_flag("DJANGO_SERVE_MEDIA", default=True)
# Several machines share their photos through an S3-compatible object store
# (AWS, MinIO, Ceph, ...; django-storages). The credentials are boto3's own
# variables, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Photos are private
# objects; pages link them with short-lived signed URLs.
S3_BUCKET = os.environ.get("OEFENPLAN_S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("OEFENPLAN_S3_ENDPOINT_URL", "")
S3_CUSTOM_DOMAIN = os.environ.get("OEFENPLAN_S3_CUSTOM_DOMAIN", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": os.environ.get("OEFENPLAN_S3_REGION") or None,
            "custom_domain": S3_CUSTOM_DOMAIN or None,
            "location": "media",
            "default_acl": None,  # the bucket's own: private
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
    SERVE_MEDIA = False

# The cache holds the rate limits (patient links, sign-in); Redis shares them
# between server processes and machines in production (REDIS_URL), a local
# memory cache serves one process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "oefenplan",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The patient's plan page is rendered once per published revision, day, session
# and language, and kept (programs/plan/page_cache.py): in each process's memory
# ("plan_local"), in front of Redis ("plan_shared", every process's) when there
# is one. Entries expire after PLAN_PAGE_CACHE_TIMEOUT seconds: well within the
# lifetime of a photo's signed object-store URL (S3, above), and the longest a
# photo change that sent no signal takes to show.
PLAN_PAGE_CACHE = env_flag("OEFENPLAN_PLAN_PAGE_CACHE", default=True)
PLAN_PAGE_CACHE_TIMEOUT = 600
CACHES["plan_local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "plan-pages",
    "TIMEOUT": PLAN_PAGE_CACHE_TIMEOUT,
    "OPTIONS": {"MAX_ENTRIES": 300},  # about 50 kB each
}
if REDIS_URL:
    CACHES["plan_shared"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "oefenplan-plan",
        "TIMEOUT": PLAN_PAGE_CACHE_TIMEOUT,
    }

# Slow work (rendering handouts) runs in a task worker (Django's tasks API, the
# django-tasks backport). The queue lives in the database by default: nothing
# more to run than `manage.py db_worker`, and a queued task survives any
# restart. OEFENPLAN_TASK_QUEUE=redis queues in Redis for RQ workers
# (`manage.py rqworker --job-class django_tasks_rq.Job default`); Redis must
# then keep its data (appendonly) for the queue to survive a restart.
TASK_QUEUE = os.environ.get("OEFENPLAN_TASK_QUEUE", "database")
if TASK_QUEUE == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("OEFENPLAN_TASK_QUEUE=redis needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Where patients open their plan: the address printed on handouts and in QR
# codes when there is no request to take it from (the handout command).
SITE_URL = os.environ.get("OEFENPLAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Wrong patient-link guesses allowed per address in PATIENT_LINK_GUESS_WINDOW seconds.
PATIENT_LINK_MAX_GUESSES = 10
PATIENT_LINK_GUESS_WINDOW = 15 * 60
# Behind N reverse proxies that each append to X-Forwarded-For, the client is
# the Nth address from the right; with 0 (no proxy) it is REMOTE_ADDR. Without
# this, every patient behind the proxy would share one guess counter.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # the same client address for allauth's limits
# Pages are gzipped by nginx in front (deploy/nginx.conf); when Django serves
# alone (no proxy: runserver, a single gunicorn) it gzips them itself, at a cheap
# level (oefenplan/compression.py). DJANGO_GZIP=1 or 0 decides either way.
GZIP_PAGES = env_flag("DJANGO_GZIP", default=not TRUSTED_PROXY_COUNT)
if GZIP_PAGES:
    MIDDLEWARE.insert(1, "oefenplan.compression.CheapGZipMiddleware")  # after the request log
# Rendered handout PDFs, keyed by what they print. They carry a patient's name,
# so none is kept longer than HANDOUT_CACHE_MAX_AGE_DAYS (default a week).
HANDOUT_CACHE_DIR = Path(os.environ.get("HANDOUT_CACHE_DIR", BASE_DIR / "cache" / "handouts"))
HANDOUT_CACHE_MAX_AGE = float(os.environ.get("HANDOUT_CACHE_MAX_AGE_DAYS", "7")) * 24 * 3600

# GDPR retention: this many days after a program ended (its last day, or the
# day it was archived), its ticks, notes and printed handouts are removed by
# `manage.py apply_retention` (deploy/crontab runs it nightly). The practice's
# own medical record (WGBO) lives in its EPD, not here.
PROGRAM_DATA_RETENTION_DAYS = int(os.environ.get("OEFENPLAN_RETENTION_DAYS", "365"))

# Photos: the upload's size limit, and its decode's memory limit counted in
# opaque pixels of 4 bytes (exercises/photos.py): at most 64 MB for the pixels.
EXERCISE_PHOTO_MAX_BYTES = 10 * 1024 * 1024
EXERCISE_PHOTO_MAX_PIXELS = 16_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Any request body over this is refused (413) before it is read: a photo at its
# limit and the form around it fit (oefenplan/uploads.py).
REQUEST_BODY_MAX_BYTES = 12 * 1024 * 1024


def _media_origins() -> list[str]:
    if not S3_BUCKET:
        return []
    if S3_CUSTOM_DOMAIN:
        return [f"https://{S3_CUSTOM_DOMAIN}"]
    if S3_ENDPOINT_URL:
        return ["/".join(S3_ENDPOINT_URL.split("/")[:3])]  # scheme://host[:port]
    return ["https://*.amazonaws.com"]


# Security: strict CSP (no inline script or style anywhere, nothing from
# elsewhere, nothing allowed that is not named), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        # Photos come from the object store when there is one.
        "img-src": [SELF, *_media_origins()],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],  # the plan's home-screen manifest
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: the token travels in the page
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"


def https_settings(https_only: bool) -> dict:
    """Secure by default: with DEBUG off the app assumes HTTPS (behind a TLS
    proxy) unless DJANGO_HTTPS_ONLY=0 says it is served over plain HTTP on
    this machine (`make run`, the benchmarks). `check --deploy` then warns,
    as it should."""
    if not https_only:
        return {
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_NAME": "sessionid",
            "CSRF_COOKIE_SECURE": False,
            "CSRF_COOKIE_NAME": "csrftoken",
            "LANGUAGE_COOKIE_SECURE": False,
            "LANGUAGE_COOKIE_NAME": "django_language",
            "SECURE_SSL_REDIRECT": False,
            "SECURE_HSTS_SECONDS": 0,
        }
    return {
        # Cookies only over HTTPS, and with the __Host- prefix: the browser
        # refuses them unless Secure, for path / and this host alone.
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_NAME": "__Host-language",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 2 * 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


HTTPS_ONLY = env_flag("DJANGO_HTTPS_ONLY", default=not DEBUG)
globals().update(https_settings(HTTPS_ONLY))
if TRUSTED_PROXY_COUNT:
    # Only a proxy we run may say the request came in over HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The health checks answer the proxy over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Logs go to standard error for the service manager or the log collector. Each
# request is one JSON line (oefenplan/ops/middleware.py: route name, never the
# path, which can carry a patient's link token). Django's own 4xx warnings
# name the path, so only its errors are logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "filters": {"redact_link_tokens": {"()": "oefenplan.ops.logging.RedactLinkTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_link_tokens"]},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "oefenplan.requests": {
            "handlers": ["json"],
            "level": "INFO" if env_flag("OEFENPLAN_REQUEST_LOG", default=True) else "WARNING",
            "propagate": False,
        },
        "django.request": {"level": "ERROR"},
        # The development server's own lines, tokens hidden (handler filters
        # apply to propagated records; logger filters would not).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

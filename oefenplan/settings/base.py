"""Oefenplan settings shared by the app (`app`) and the test suite (`test`).

Everything that differs between machines comes from the environment:
DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL in production;
SQLite when unset), MEDIA_ROOT, DJANGO_SECURE (HTTPS only cookies and HSTS
behind a TLS-terminating proxy); the secret key is set by the module on top.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
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
    "django_htmx",
    "template_partials",
    "csp",
    "exercises",
    "programs",
    "programs.handout",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "oefenplan.uploads.RequestBodyLimitMiddleware",  # before anything reads a body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "exercises:library"
LOGOUT_REDIRECT_URL = "login"

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
if STATIC_ROOT:
    # collectstatic writes gzip and Brotli copies with hashed names; WhiteNoise
    # serves the compressed copy and caches hashed files for a year.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded photos are served by Django itself unless a front server takes over.
SERVE_MEDIA = env_flag("DJANGO_SERVE_MEDIA", default=True)

# The cache holds the patient-link rate limit; Redis shares it between server
# processes in production (REDIS_URL), a local memory cache serves one process.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "oefenplan",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
# Rendered handout PDFs, keyed by what they print. They carry a patient's name,
# so none is kept longer than HANDOUT_CACHE_MAX_AGE_DAYS (default a week).
HANDOUT_CACHE_DIR = Path(os.environ.get("HANDOUT_CACHE_DIR", BASE_DIR / "cache" / "handouts"))
HANDOUT_CACHE_MAX_AGE = float(os.environ.get("HANDOUT_CACHE_MAX_AGE_DAYS", "7")) * 24 * 3600

# Photos: the upload's size limit, and its decode's memory limit counted in
# opaque pixels of 4 bytes (exercises/photos.py): at most 64 MB for the pixels.
EXERCISE_PHOTO_MAX_BYTES = 10 * 1024 * 1024
EXERCISE_PHOTO_MAX_PIXELS = 16_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Any request body over this is refused (413) before it is read: a photo at its
# limit and the form around it fit (oefenplan/uploads.py).
REQUEST_BODY_MAX_BYTES = 12 * 1024 * 1024

# Security: strict CSP (no inline script or style anywhere), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env_flag("DJANGO_SECURE"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

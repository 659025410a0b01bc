"""Health checks for the proxy and the orchestrator.

`/healthz`: the process answers (liveness; touches nothing else, so a database
outage does not get every app server restarted). `/readyz`: it can serve, the
database answers and, when configured, Redis: the proxy or load balancer sends
no traffic to a server that is not ready. Neither reads a session or a record.
"""

import logging
import sys

import redis.exceptions
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

UNAVAILABLE = 503
logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _redis() -> bool:
    try:
        cache.set("ops:ready", "1", timeout=10)
        return cache.get("ops:ready") == "1"
    except Exception:  # redis-py's ConnectionError, TimeoutError, ...: not ready
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    if settings.REDIS_URL:
        checks["redis"] = _redis()
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if fine else "failing" for name, fine in checks.items()},
        },
        status=200 if ready else UNAVAILABLE,
    )


# A dependency that is away (the database restarting, Redis stopped) is not a
# bug: the visitor gets "try again in a minute" and a Retry-After, the proxy a
# 503 it may retry elsewhere. Anything else is the plain 500 page.
DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: called while the exception is being handled."""
    error = sys.exc_info()[1]
    if isinstance(error, DEPENDENCY_ERRORS):
        logger.error("dependency unavailable: %s", type(error).__name__)
        # No request context: the context processors may need the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)

"""One JSON line per request, for the log collector, and a request id.

The line has the time, method, route name (never the path: a patient's link
carries its token there, a therapist's page a patient's id), status, duration
and the request id. The id comes from the proxy (nginx's $request_id, in
X-Request-ID) when the request came through one we trust, so the proxy's line
and ours can be joined; otherwise it is made here. It goes back in the answer.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("oefenplan.requests")

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def _request_id(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if settings.TRUSTED_PROXY_COUNT and VALID_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "-"  # not resolved: a 404, or answered by middleware (static, redirect)
    return match.view_name or match.route


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = _request_id(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": _route(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": request.request_id,
            },
        )
        return response

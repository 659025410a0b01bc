"""How a phone reaches a patient's plan: the link, the cookie, and the checks.

Opening the link trades its token for a signed, HTTP-only cookie that names the
link; every page behind it checks that link again, so a revoked link stops
working at once, also in a page that is already open. Nothing here tells a
wrong link from a revoked or expired one: all get the same friendly page.
"""

import functools

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from oefenplan.http import HtmxHttpRequest
from programs.models import PatientLink
from programs.plan import reads

PLAN_COOKIE_NAME = "oefenplan_plan"
PLAN_COOKIE_SALT = "programs.plan.link"
PLAN_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days


def plan_cookie() -> str:
    """The cookie's name: with the __Host- prefix when the app runs HTTPS only,
    so a browser keeps it for this host, over HTTPS, for every path."""
    return f"__Host-{PLAN_COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else PLAN_COOKIE_NAME


def private(response: HttpResponse, referrer_policy: str = "same-origin") -> HttpResponse:
    """No shared phone or proxy keeps a copy of someone's plan.

    Addresses that carry a token (/p/<token>/, its redirect and its error page)
    send no Referer at all. The plan's own pages have clean addresses and keep
    the app's same-origin policy: with no-referrer a browser sends
    "Origin: null" on form posts, which Django's CSRF check rightly refuses,
    and the plain-form (no JavaScript) ticks would stop working.
    """
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "private, no-store"
    return response


def link_error(request: HtmxHttpRequest, status: int) -> HttpResponse:
    """The one page for a wrong, revoked or expired link (404), or too many guesses (429)."""
    response = render(
        request, "programs/plan/error.html", {"too_many": status == 429}, status=status
    )
    response.delete_cookie(plan_cookie(), samesite="Lax")
    return private(response, referrer_policy="no-referrer")


def remember_link(response: HttpResponse, link: PatientLink) -> HttpResponse:
    response.set_signed_cookie(
        plan_cookie(),
        str(link.pk),
        salt=PLAN_COOKIE_SALT,
        max_age=PLAN_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return private(response, referrer_policy="no-referrer")


def _cookie_link(request: HtmxHttpRequest) -> tuple[PatientLink | None, tuple[int, ...]]:
    """The cookie's link if it still works, and its patient's running revisions
    (reads.link_and_revisions): checked on every request, never cached; one query."""
    try:
        link_id = int(request.get_signed_cookie(plan_cookie(), salt=PLAN_COOKIE_SALT))
    except (KeyError, ValueError, signing.BadSignature):
        return None, ()
    return reads.link_and_revisions(link_id)


def patient_page(view):
    """A page behind the patient cookie, in the language chosen for that link.

    Sets `request.patient_link` and `request.running_revision_ids`; without a
    working link, a page gets the error page and an htmx request from an open
    page reloads it into that page.
    """

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        link, request.running_revision_ids = _cookie_link(request)
        if link is None:
            if request.htmx:
                response = HttpResponse(status=403)
                response["HX-Refresh"] = "true"
                return private(response)
            return link_error(request, status=404)
        request.patient_link = link
        with translation.override(link.language):
            request.LANGUAGE_CODE = link.language
            return private(view(request, *args, **kwargs))

    return wrapper

"""Session limits, the second factor before patient data, and security headers."""

import time
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from oefenplan.http import client_address
from oefenplan.security.sessions import (
    LAST_SEEN_KEY,
    SIGNED_IN_KEY,
    second_factor_passed,
    signed_in_mark,
)
from programs.access_log import access_log_source

# Writing the last-seen time on every request would write the session on every
# request; once a minute is precise enough for a 30-minute limit.
LAST_SEEN_RESOLUTION = 60


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect, also for htmx requests (which would swap the login page in)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"


class AccessLogSourceMiddleware:
    """Every access-log line written while serving a request names the client's
    address (behind DJANGO_TRUSTED_PROXY_COUNT proxies, the forwarded one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_log_source(client_address(request)):
            return self.get_response(request)


class SessionLimitsMiddleware:
    """A therapist's session ends after SESSION_IDLE_TIMEOUT without a request
    and SESSION_MAX_AGE after signing in, whatever happens in between (NEN 7510,
    ASVS 3.3). The cookie's own age is the same maximum; this checks both on
    the server, where they cannot be stretched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in = request.session.get(SIGNED_IN_KEY)
            last_seen = request.session.get(LAST_SEEN_KEY)
            if signed_in is None or last_seen is None:
                signed_in_mark(request.session)  # a session from before these limits
            elif now - signed_in > settings.SESSION_MAX_AGE:
                return self._end(request, _("You have been signed out after 12 hours."))
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                return self._end(
                    request, _("You have been signed out after 30 minutes without activity.")
                )
            elif now - last_seen > LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _end(self, request: HttpRequest, message: str) -> HttpResponse:
        url = _login_url(request)
        logout(request)
        messages.info(request, message)
        return _go(request, url)


class SecondFactorRequiredMiddleware:
    """No patient data, and nothing else of the app, before a second factor.

    A signed-in user whose session has not proven a second factor reaches only
    the account pages (to enrol one, or sign out). One who has no authenticator
    yet is sent to enrol a TOTP app; one who has an authenticator but a session
    without it is signed out (allauth's login always asks for it, so such a
    session did not come through the login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(settings.SECOND_FACTOR_EXEMPT_PATHS)
            and not second_factor_passed(request.session, request.user)
        ):
            if Authenticator.objects.filter(user=request.user).exists():
                url = _login_url(request)
                logout(request)
                return _go(request, url)
            messages.info(
                request, _("Set up a second factor first: it protects your patients' data.")
            )
            return _go(request, reverse("mfa_activate_totp"))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django has no setting for.

    - Permissions-Policy: the app uses no camera, microphone, location or
      payment; a page (or an injected frame) cannot ask for them. WebAuthn
      (passkeys) stays allowed for the app itself.
    - Cache-Control: no-store on every page for a signed-in user and on the
      patient's plan: patient data stays out of shared and back/forward caches.
      Responses that set their own Cache-Control (static files) keep it; the
      handout PDF is patient data too and is marked in its view.
    """

    PERMISSIONS_POLICY = ", ".join(
        [
            "accelerometer=()",
            "camera=()",
            "display-capture=()",
            "geolocation=()",
            "gyroscope=()",
            "magnetometer=()",
            "microphone=()",
            "payment=()",
            "usb=()",
            "publickey-credentials-get=(self)",
            "publickey-credentials-create=(self)",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response

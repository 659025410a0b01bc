from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of views: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails
    user: User | AnonymousUser


def client_address(request: HttpRequest) -> str:
    """The address wrong guesses are counted for.

    Behind TRUSTED_PROXY_COUNT reverse proxies that each append to
    X-Forwarded-For, the client is that many entries from the right; entries
    further left come from the client itself and could be forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")

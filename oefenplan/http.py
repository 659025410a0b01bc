from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of views: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails
    user: User | AnonymousUser

"""The addresses every page's header links to, reversed once per process.

reverse() costs about 55 µs here, and the header asked for six of them on every
page: a third of a millisecond, as much as the patient list's own queries
(bench/pages.py, issue 14). They depend only on the URL configuration and the
script prefix the app is served under, which make the key.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

HEADER_URL_NAMES = {
    "patients": "therapist:patient_list",
    "library": "exercises:library",
    "account": "mfa_index",
    "admin": "admin:index",
    "set_language": "set_language",
    "log_out": "account_logout",
}


@functools.cache
def _header_urls(urlconf: str, script_prefix: str) -> dict[str, str]:
    return {key: reverse(name, urlconf=urlconf) for key, name in HEADER_URL_NAMES.items()}


def header_urls(request) -> dict:
    """Context processor: `header_urls.patients`, `.library`, `.account`,
    `.admin`, `.set_language` and `.log_out`."""
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    return {"header_urls": _header_urls(urlconf, get_script_prefix())}

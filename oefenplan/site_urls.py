"""Addresses without a reverse() each: reverse() costs about 55 µs here.

- `header_urls`: the six addresses every page's header links to, reversed once
  per process (they were a third of a millisecond a page, as much as the
  patient list's own queries; bench/pages.py, issue 14). They depend only on
  the URL configuration and the script prefix the app is served under, which
  make the key.
- `address_completer`: a page of lines that each link to the same kind of
  address (the editor's nine per exercise, the patient list's one per patient)
  reverses it once, with a stand-in for the last argument, and completes it
  per line.
"""

import functools
from collections.abc import Callable

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


STAND_IN = "987654321"


def address_completer(name: str, *args, stand_in: str = STAND_IN) -> Callable[[object], str]:
    """reverse(name, args=[*args, value]) for any `value`, from one reverse():
    the stand-in's place in the address is where each value goes."""
    head, _, tail = reverse(name, args=[*args, stand_in]).rpartition(stand_in)
    return lambda value: f"{head}{value}{tail}"

"""The wrong-guess limit on patient links: per client address, in the shared cache.

Ten wrong tokens from one address in fifteen minutes (settings
PATIENT_LINK_MAX_GUESSES and PATIENT_LINK_GUESS_WINDOW) and that address gets
"too many attempts" for every further wrong token in the window, so guessing a
132-bit token is hopeless even before the maths. A valid token still opens:
the limit slows guessing, it never locks out a patient behind the same address.
The counters live in Django's cache: Redis when REDIS_URL is set, shared by
every app server. The address is hashed, so the cache holds no IP addresses in
the clear.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _guess_key(address: str) -> str:
    return "plink-guess:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def guesses_exhausted(address: str) -> bool:
    return cache.get(_guess_key(address), 0) >= settings.PATIENT_LINK_MAX_GUESSES


def guess_record_wrong(address: str) -> None:
    key = _guess_key(address)
    if cache.add(key, 1, timeout=settings.PATIENT_LINK_GUESS_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.PATIENT_LINK_GUESS_WINDOW)

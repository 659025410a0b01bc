"""A version of the exercise photos, for pages cached with their photos in them.

Photos are the one input of a patient's cached plan page that changes in place
(a published revision never does): a page keeps its photo URLs, sizes and alt
texts, so any photo saved or deleted gives every such page a new key. The
version is a random token in the shared cache (Redis when REDIS_URL is set): a
flushed or restarted cache makes a new one, never an old one again.

A queryset update (the admin's "approve for every practice" action) sends no
signal; the pages it changes catch up when their cache entries expire
(PLAN_PAGE_CACHE_TIMEOUT).

Every plan request asks for the version, and a Redis round trip was a fifth of
the warm page (bench/plan_page.py): each process keeps what it read for
LOCAL_SECONDS, so a photo changed on another server shows within that second,
and one changed in this process at once.
"""

import secrets
import time

from django.core.cache import cache

PHOTO_VERSION_KEY = "photo-version"
LOCAL_SECONDS = 1.0

# (when it was read, the version): replaced whole, so threads see one or the other.
_local: tuple[float, str] | None = None


def photo_version() -> str:
    """The current version: this process's copy, at most LOCAL_SECONDS old, else
    one read of the shared cache (a new token if it has none)."""
    global _local
    now, kept = time.monotonic(), _local
    if kept is not None and now - kept[0] < LOCAL_SECONDS:
        return kept[1]
    version = cache.get(PHOTO_VERSION_KEY)
    if version is None:
        cache.add(PHOTO_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(PHOTO_VERSION_KEY)
    _local = (now, version)
    return version


def photo_version_bump() -> None:
    global _local
    version = secrets.token_hex(8)
    cache.set(PHOTO_VERSION_KEY, version, timeout=None)
    _local = (time.monotonic(), version)


def photo_version_forget_local() -> None:
    """Drops this process's copy: the next call reads the shared cache (for a
    cache that was emptied, as between tests)."""
    global _local
    _local = None


def photo_changed(sender, **kwargs) -> None:
    """post_save and post_delete of ExercisePhoto (connected in ExercisesConfig.ready)."""
    photo_version_bump()

"""A version of the exercise library as cached pages print it.

The library is the one input of the cached pages that changes in place: the
patient's plan page keeps its photos' URLs, sizes and alt texts (a published
revision never changes), and the editor's kept item list (programs/therapist/
line_cache.py) its exercises' titles, the warnings their doses and variants
give, and the variants' names. Any photo, exercise or variant saved or deleted,
or an exercise's variants changed, gives every such page a new key. The version
is a random token in the shared cache (Redis when REDIS_URL is set): a flushed
or restarted cache makes a new one, never an old one again.

A queryset update sends no signal: the admin's "approve for every practice"
action bumps the version itself.

Every plan request asks for the version, and a Redis round trip was a fifth of
the warm page (bench/plan_page.py): each process keeps what it read for
LOCAL_SECONDS, so a change made on another server shows within that second,
and one made in this process at once.
"""

import secrets
import time

from django.core.cache import cache

LIBRARY_VERSION_KEY = "library-version"
LOCAL_SECONDS = 1.0

# (when it was read, the version): replaced whole, so threads see one or the other.
_local: tuple[float, str] | None = None


def library_version() -> str:
    """The current version: this process's copy, at most LOCAL_SECONDS old, else
    one read of the shared cache (a new token if it has none)."""
    global _local
    now, kept = time.monotonic(), _local
    if kept is not None and now - kept[0] < LOCAL_SECONDS:
        return kept[1]
    version = cache.get(LIBRARY_VERSION_KEY)
    if version is None:
        cache.add(LIBRARY_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(LIBRARY_VERSION_KEY)
    _local = (now, version)
    return version


def library_version_bump() -> None:
    global _local
    version = secrets.token_hex(8)
    cache.set(LIBRARY_VERSION_KEY, version, timeout=None)
    _local = (time.monotonic(), version)


def library_version_forget_local() -> None:
    """Drops this process's copy: the next call reads the shared cache (for a
    cache that was emptied, as between tests)."""
    global _local
    _local = None


def library_changed(sender, **kwargs) -> None:
    """Saved or deleted photos, exercises and variants, and an exercise's variants
    changed (connected in ExercisesConfig.ready)."""
    library_version_bump()

"""A version of the exercise photos, for pages cached with their photos in them.

Photos are the one input of a patient's cached plan page that changes in place
(a published revision never does): a page keeps its photo URLs, sizes and alt
texts, so any photo saved or deleted gives every such page a new key. The
version is a random token in the shared cache (Redis when REDIS_URL is set): a
flushed or restarted cache makes a new one, never an old one again.

A queryset update (the admin's "approve for every practice" action) sends no
signal; the pages it changes catch up when their cache entries expire
(PLAN_PAGE_CACHE_TIMEOUT).
"""

import secrets

from django.core.cache import cache

PHOTO_VERSION_KEY = "photo-version"


def photo_version() -> str:
    """The current version: one read of the shared cache (a new token if it has none)."""
    version = cache.get(PHOTO_VERSION_KEY)
    if version is None:
        cache.add(PHOTO_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(PHOTO_VERSION_KEY)
    return version


def photo_version_bump() -> None:
    cache.set(PHOTO_VERSION_KEY, secrets.token_hex(8), timeout=None)


def photo_changed(sender, **kwargs) -> None:
    """post_save and post_delete of ExercisePhoto (connected in ExercisesConfig.ready)."""
    photo_version_bump()

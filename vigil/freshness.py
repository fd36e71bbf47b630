"""One number that changes whenever what readers see changes.

Cached public pages and fragments put it in their cache keys; services bump it
after their transaction commits (a review, a correction, a rewrite approved),
and the daily job bumps it at midnight so no countdown shows yesterday's count.
"""

from django.core.cache import cache

from .cache import CacheUnavailable, strict

CONTENT_VERSION_KEY = "vigil:content-version"


def content_version():
    """The current version, or None while the cache cannot say: then nothing
    may be served from or kept under a version (it would outlive a change)."""
    try:
        with strict():
            version = cache.get(CONTENT_VERSION_KEY)
            if version is None:
                # add() so two processes starting at once agree on the first value.
                cache.add(CONTENT_VERSION_KEY, 1, timeout=None)
                version = cache.get(CONTENT_VERSION_KEY, 1)
    except CacheUnavailable:
        return None
    return version


def content_changed(event=None):
    """Run after an action commits (vigil.actions), or by the midnight turn-over:
    readers see the change at once."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.add(CONTENT_VERSION_KEY, 2, timeout=None)

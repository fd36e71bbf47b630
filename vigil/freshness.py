"""How fresh a cached copy is: one version per cache tag (vigil.cachetags).

A cached page or fragment remembers the versions of its tags when it was
rendered; after an action commits, tags_changed() moves the versions of the
tags it touched, and the copies showing them no longer match. Nothing is
deleted: a copy that no longer matches is rendered again (and its old text
can still be served while that happens, vigil.pagecache).

A tag whose version is missing (never set, or evicted by Redis's LRU) gets a
new one from the clock, which no copy can hold yet: an eviction makes copies
miss, never look fresh.

`purge_count()` moves with every tags_changed(), before the tags do: a page
rendered while it moved may have read the database before the change and
must not be kept as fresh (vigil.pagecache).

content_version() is one number for the whole site, bumped by every action
and at midnight; only ETags (vigil.conditional) fold it in, as a guard for
what their stamps do not see. No cache keys on it.
"""

import time

from django.core.cache import cache

from .cache import CacheUnavailable, strict

CONTENT_VERSION_KEY = "vigil:content-version"
PURGE_COUNT_KEY = "vigil:purges"
TAG_PREFIX = "vigil:tag:"


def tag_key(tag):
    """The cache key of `tag`'s version (vigil.objectcache reads it with the fragments)."""
    return TAG_PREFIX + tag


_tag_key = tag_key


def tag_versions(tags):
    """{tag: version} for `tags`, read in one round trip (two when some were
    missing); None while the cache cannot say (vigil.cache): then no copy may
    be served or kept as fresh."""
    keys = {_tag_key(tag): tag for tag in tags}
    try:
        with strict():
            found = cache.get_many(list(keys))
            missing = [key for key in keys if key not in found]
            if missing:
                for key in missing:
                    # add(): two processes starting a tag at once agree on its first value.
                    cache.add(key, time.time_ns(), timeout=None)
                found.update(cache.get_many(missing))
    except CacheUnavailable:
        return None
    return {keys[key]: found.get(key) for key in keys}


def tags_changed(tags):
    """Every copy showing one of `tags` is stale from now on. Raises
    CacheUnavailable when the cache is down (incr cannot pretend): the
    pipeline retries the hook, and copies live at most VIGIL_PAGE_CACHE_SECONDS."""
    _bump(PURGE_COUNT_KEY)
    for tag in tags:
        _bump(_tag_key(tag))


def purge_count():
    """None while the cache cannot say."""
    try:
        with strict():
            return cache.get(PURGE_COUNT_KEY, 0)
    except CacheUnavailable:
        return None


# What a request reads before its view runs, in one round trip: the content
# version (ETags), the purge count (per-object fragments, vigil.objectcache)
# and what the apps add with read_at_start() (the footer's count). Each was a
# round trip of its own; on this 2-core machine a round trip waits behind the
# other processes, and a page waited on four (bench/PROFILE.md).
_START_KEYS = [CONTENT_VERSION_KEY, PURGE_COUNT_KEY]
_UNREAD = object()


def read_at_start(key):
    """Read `key` with every request's first round trip (request_start)."""
    if key not in _START_KEYS:
        _START_KEYS.append(key)


def request_start(request, *also):
    """{key: value} of the start keys (and `also`, on the first call), read once
    per request; None while the cache cannot say."""
    found = request.__dict__.get("_vigil_start", _UNREAD)
    if found is not _UNREAD:
        return found
    try:
        with strict():
            found = cache.get_many([*also, *_START_KEYS])
    except CacheUnavailable:
        found = None
    request._vigil_start = found
    return found


def page_lookup(key, request, tags=()):
    """A cached page copy, the purge count and the versions of `tags` (those
    the copy had when this process last saw it), with the request's other
    start keys, in one round trip: (copy, purges, {tag: version}), where a
    tag whose version is not in the cache is left out; (None, None, {})
    while the cache cannot say."""
    keys = [tag_key(tag) for tag in tags]
    found = request_start(request, key, *keys)
    if found is None:
        return None, None, {}
    versions = {tag: found[k] for tag, k in zip(tags, keys) if found.get(k) is not None}
    return found.get(key), found.get(PURGE_COUNT_KEY, 0), versions


def purges_at_start(request):
    """The purge count when `request` began; None while the cache cannot say."""
    found = request_start(request)
    return None if found is None else found.get(PURGE_COUNT_KEY, 0)


def page_keep(key, copy, seconds):
    cache.set(key, copy, seconds)


def page_lock(key, seconds):
    """True for the one request that may render a stale page again."""
    return cache.add(key, 1, timeout=seconds)


def page_unlock(key):
    cache.delete(key)


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, time.time_ns(), timeout=None)


def content_version(request=None):
    """The current version (as `request` began, when given: read with its other
    start keys), or None while the cache cannot say: then nothing may be
    served from or kept under a version (it would outlive a change)."""
    if request is not None:
        found = request_start(request)
        if found is None:
            return None
        if found.get(CONTENT_VERSION_KEY) is not None:
            return found[CONTENT_VERSION_KEY]
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
    every ETag changes."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.add(CONTENT_VERSION_KEY, 2, timeout=None)

"""The cache backend: Redis as a cache, never a single point of failure.

Every cache read and write in Vigil goes through Django's `cache`, and with
REDIS_URL that is this backend (settings.CACHES). It is RedisCache with one
rule added, here and nowhere else:

- A Redis that is down, refuses, or hangs (short connect and read timeouts in
  settings) costs a request at most one timeout. The call answers as a miss
  does: get() its default, get_many() nothing, add() False, set() and delete()
  nothing done. Pages are rendered instead of served from the cache: slower,
  never a 500. The content version, the reviewed count, the page cache, the
  fragment caches and the cover manifests all follow from that.
- After a connection error or a timeout the process stops asking Redis for
  VIGIL_CACHE_RETRY_SECONDS, so a hung Redis does not add a timeout to every
  call of every request; then one call tries again. Both changes are logged
  once, not per call.
- A counter has no answer that is safe to make up, so incr() and decr() raise
  CacheUnavailable; the rate limit catches it and counts in the process
  instead (vigil.ratelimit).
- Inside `strict()` every call raises CacheUnavailable instead of pretending:
  after-commit work (vigil.actions) runs that way, so an invalidation that did
  not happen is retried, not silently lost.

Without REDIS_URL the local-memory cache cannot fail, and none of this applies.
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The cache could not be asked, and the caller must know (a counter, or strict())."""


_strict = contextvars.ContextVar("vigil_cache_strict", default=False)


@contextlib.contextmanager
def strict():
    """Within this block the cache raises CacheUnavailable instead of answering as a miss."""
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


# Per process, per Redis address: until when we do not ask it. Django makes one
# backend object per thread, so the state lives here, shared by all of them.
_down_until = {}


def _retry_seconds():
    return getattr(settings, "VIGIL_CACHE_RETRY_SECONDS", 5.0)


class _ReusedClients(RedisCacheClient):
    """Django builds a new redis.Redis client for every cache call: its
    response callbacks alone are ~165 function calls, several times a
    request (bench/PROFILE.md). The client is thread-safe over its pool, so
    each pool's one is kept and reused."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def _guarded(self, name, call, miss):
        where = self._servers[0]
        down_until = _down_until.get(where)
        if down_until is not None and time.monotonic() < down_until:
            return self._unavailable(name, miss, None)
        try:
            result = call()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if _down_until.get(where) is None:
                logger.warning(
                    "cache unavailable (%s: %s); serving without it, next try in %.0f s",
                    type(exc).__name__, exc, _retry_seconds(),
                )
            _down_until[where] = time.monotonic() + _retry_seconds()
            return self._unavailable(name, miss, exc)
        except RedisError as exc:
            # Redis answered, with an error (out of memory, read-only replica):
            # this call fails, the next may not.
            logger.warning("cache %s failed (%s: %s)", name, type(exc).__name__, exc)
            return self._unavailable(name, miss, exc)
        if down_until is not None:
            _down_until.pop(where, None)
            logger.warning("cache available again")
        return result

    @staticmethod
    def _unavailable(name, miss, exc):
        if miss is CacheUnavailable or _strict.get():
            raise CacheUnavailable(f"cache {name}: Redis unavailable") from exc
        return miss

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", lambda: super(ResilientRedisCache, self).add(
            key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._guarded("get", lambda: super(ResilientRedisCache, self).get(
            key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", lambda: super(ResilientRedisCache, self).set(
            key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", lambda: super(ResilientRedisCache, self).touch(
            key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guarded("delete", lambda: super(ResilientRedisCache, self).delete(
            key, version), False)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", lambda: super(ResilientRedisCache, self).get_many(
            keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded("has_key", lambda: super(ResilientRedisCache, self).has_key(
            key, version), False)

    def incr(self, key, delta=1, version=None):
        return self._guarded("incr", lambda: super(ResilientRedisCache, self).incr(
            key, delta, version), CacheUnavailable)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored.
        return self._guarded("set_many", lambda: super(ResilientRedisCache, self).set_many(
            data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", lambda: super(ResilientRedisCache, self).delete_many(
            keys, version), None)

    def clear(self):
        return self._guarded("clear", lambda: super(ResilientRedisCache, self).clear(), False)


def forget_outages():
    """Ask Redis again at once (tests; an operator who just restarted it)."""
    _down_until.clear()

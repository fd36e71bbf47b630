"""Defences of the public forms (dissent, error reports).

Everything a form on the open internet needs beyond Django's CSRF check lives
here and in vigil.forms (the reader-input fields and the honeypot field), so
the dissent form and the corrections report form defend themselves the same way:

- client_address(): who is asking, read safely behind TRUSTED_PROXY_COUNT proxies;
- form_rate_limited(): a sliding-window limit per client address, counted in
  the cache (in the process while the cache is down);
- HONEYPOT_FIELD / honeypot_filled(): a field people never see and bots fill in;
- reader_text(): control characters stripped, newlines and tabs kept;
- fingerprint(): the same text sent twice is recognised.
"""

import collections
import hashlib
import ipaddress
import logging
import re
import threading
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)

# A name a bot is glad to fill in; people never see the field (CSS hides it,
# it is out of the tab order and aria-hidden).
HONEYPOT_FIELD = "website"


def client_address(request):
    """The reader's address for rate limiting.

    Behind N trusted proxies, each proxy appends the address it saw to
    X-Forwarded-For, so the client is the Nth entry from the right. Anything
    further left was written by the client and is ignored: prepending spoofed
    entries changes nothing. IPv6 addresses count per /64, since one
    subscriber usually holds a whole /64.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    candidate = remote
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def form_rate_limited(request, *, scope):
    """Count one form post from this client; True once it is over the limit.

    A sliding window: the count of the current fixed window plus the previous
    window's, weighted by how much of it still lies within the last
    RATE_WINDOW_SECONDS. A burst just before a window's end is still counted
    just after it, so no boundary lets twice the limit through.

    The counts live in the cache, shared by every web process. If the cache is
    unavailable the limit fails closed, not open: each process counts on its
    own (vigil.cache raises CacheUnavailable from a counter), so a reader can
    still post and a burst is still refused.
    """
    return over_limit(f"{scope}:{client_address(request)}", settings.PUBLIC_FORMS["RATE_LIMIT"])


def over_limit(name, limit):
    """Count one use of `name`; True once it is over `limit` within the window.

    The counter behind form_rate_limited, for limits keyed on something other
    than the client's address (a reset asked for one e-mail address from many)."""
    window = settings.PUBLIC_FORMS["RATE_WINDOW_SECONDS"]
    key = f"vigil:ratelimit:{name}"
    now = time.time()
    try:
        count = _cache_window_count(key, now, window)
    except CacheUnavailable:
        logger.warning("rate limit counted in this process: the cache is unavailable")
        count = _local_limiter.count(key, now, window)
    return count > limit


def _cache_window_count(key, now, window):
    bucket, into = divmod(now, window)
    current, previous = f"{key}:{int(bucket)}", f"{key}:{int(bucket) - 1}"
    # Kept two windows: the next window still weighs this one.
    cache.add(current, 0, timeout=2 * window)
    try:
        count = cache.incr(current)
    except ValueError:
        # The key expired between add() and incr(): this is the first post.
        cache.set(current, 1, timeout=2 * window)
        count = 1
    earlier = cache.get(previous, 0)
    return count + earlier * (1 - into / window)


class _LocalLimiter:
    """The fallback while the cache is down: the same limit, counted per
    process, with the exact times of the last posts of each client."""

    MAX_CLIENTS = 10_000

    def __init__(self):
        self._posts = {}
        self._lock = threading.Lock()

    def count(self, key, now, window):
        with self._lock:
            if key not in self._posts and len(self._posts) >= self.MAX_CLIENTS:
                self._posts.clear()  # bounded memory; forgetting errs towards letting posts in
            times = self._posts.setdefault(key, collections.deque(maxlen=1000))
            while times and times[0] <= now - window:
                times.popleft()
            times.append(now)
            return len(times)

    def clear(self):
        with self._lock:
            self._posts.clear()


_local_limiter = _LocalLimiter()


def forget_local_counts():
    """Drop the fallback's counts (tests)."""
    _local_limiter.clear()


def too_many_posts(request, template, context):
    """HTTP 429 that gives the reader back everything they typed, with when to retry."""
    response = render(request, template, {**context, "rate_limited": True}, status=429)
    response["Retry-After"] = str(settings.PUBLIC_FORMS["RATE_WINDOW_SECONDS"])
    return response


def honeypot_filled(data):
    return bool((data.get(HONEYPOT_FIELD) or "").strip())


_KEEP = {"\n", "\t"}


def reader_text(value):
    """Reader text with control characters removed and newlines normalised.

    Newlines and tabs stay; other C0/C1 controls (NUL, escape, bell…) go.
    Everything else, in any script, emoji and joiners included, is kept
    exactly as typed.
    """
    if value is None:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char for char in value if char in _KEEP or unicodedata.category(char) != "Cc"
    )


_SPACE = re.compile(r"\s+")


def fingerprint(*parts):
    """A hash of the normalised text: case and spacing do not make a repeat new."""
    normalised = "\x1f".join(
        _SPACE.sub(" ", unicodedata.normalize("NFKC", part)).strip().casefold() for part in parts
    )
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()

"""Whole-page caching of public pages for anonymous readers.

Readers arrive in bursts: one copy of a page, rendered once, serves them all.
That works because public pages carry no per-visitor state (no CSRF token, no
session), and it stays correct because the cache key holds
vigil.freshness.content_version(), which every service that changes what
readers see bumps after its commit (and the daily job bumps at midnight, so no
countdown shows yesterday's count). Nothing is ever deleted: a new version
simply misses, and old copies expire.

    @public_page
    def article_detail(request, slug): ...

A copy is served only to a GET or HEAD without a session cookie (signed-in
people always have one, and may see more than readers do). A response is kept
only when it is a plain 200 that used neither the session nor a CSRF token and
sets no cookie, so a page with a form is rendered afresh for every visitor and
its token is never handed to someone else. Each kept copy carries an ETag (the
view's own, or one computed from the content), so a conditional GET that
matches is answered 304 without rendering anything. A worker also keeps the
pages it served in its own memory for as long as the content version it read
(at most a second ago) stands, so a burst on one piece never leaves the process.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.cache import (
    get_conditional_response,
    has_vary_header,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe

from .freshness import content_version

# Request headers a public page may vary on. Each is part of the key, so an
# htmx request never gets the full page (or the full page the fragment).
KEYED_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET")
_KEYED_VARY = {"hx-request", "hx-target", "accept-encoding"}

CACHE_STATUS_HEADER = "X-Vigil-Cache"


def page_cache_enabled():
    return getattr(settings, "VIGIL_PAGE_CACHE", True)


def public_page(view):
    """Serve and keep whole copies of `view`'s page for anonymous readers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if _has_session(request):
            # Signed in (or with messages waiting): this answer is theirs alone.
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        if not _request_may_share_a_copy(request):
            return view(request, *args, **kwargs)

        version = _current_version()
        if version is None:
            # The cache is unavailable: render, as if there were none.
            return view(request, *args, **kwargs)
        digest = _page_digest(request)
        # A page this worker has served under the current version is answered
        # from its own memory: no cache round trip, no rendering.
        local = _local_pages.get(digest)
        if local and local["version"] == version:
            return _not_modified(request, local) or _answer_from_copy(request, _rebuild(local))

        key = f"vigil:page:{version}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            _remember(digest, version, cached)
            return _answer_from_copy(request, cached)

        response = view(request, *args, **kwargs)
        if request.method == "GET" and _response_may_be_shared(request, response):
            def keep(rendered):
                _keep(key, rendered)
                _remember(digest, version, rendered)

            if hasattr(response, "render") and not response.is_rendered:
                response.add_post_render_callback(keep)
            else:
                keep(response)
                response = get_conditional_response(
                    request,
                    etag=response.get("ETag"),
                    last_modified=parse_http_date_safe(response.get("Last-Modified") or ""),
                    response=response,
                )
            response.headers[CACHE_STATUS_HEADER] = "miss"
        return response

    wrapped.public_page = True
    return wrapped


# Each worker process trusts the content version it last read for
# VIGIL_PAGE_CACHE_LOCAL_SECONDS (1 s by default), and keeps in memory the
# pages it served under that version (at most LOCAL_PAGES_MAX, each under
# LOCAL_PAGE_MAX_BYTES). A burst of readers on one piece then costs no round
# trip at all; the price is that for up to that second after a change a worker
# may still serve the previous copy. Set it to 0 to ask the cache every time.
_local_version = {"version": None, "read_at": float("-inf")}
_local_pages = {}
LOCAL_PAGES_MAX = 200
LOCAL_PAGE_MAX_BYTES = 512 * 1024


def _current_version():
    ttl = getattr(settings, "VIGIL_PAGE_CACHE_LOCAL_SECONDS", 1.0)
    now = time.monotonic()
    if ttl > 0 and now - _local_version["read_at"] < ttl:
        return _local_version["version"]
    version = content_version()
    _local_version.update(version=version, read_at=now)
    return version


def forget_local_state():
    """Drop what this process remembers (tests; a process that just changed content)."""
    _local_version.update(version=None, read_at=float("-inf"))
    _local_pages.clear()


def _remember(digest, version, response):
    if getattr(settings, "VIGIL_PAGE_CACHE_LOCAL_SECONDS", 1.0) <= 0:
        return
    if len(response.content) > LOCAL_PAGE_MAX_BYTES:
        return
    if len(_local_pages) >= LOCAL_PAGES_MAX:
        _local_pages.clear()  # crude but bounded; the next requests refill it
    _local_pages[digest] = {
        "version": version,
        "content": response.content,
        "headers": dict(response.headers),
        "etag": response.get("ETag"),
        "last_modified": response.get("Last-Modified"),
    }


def _rebuild(local):
    # A new response each time: middleware adds headers to what it is given.
    return HttpResponse(local["content"], headers=local["headers"])


def _has_session(request):
    # A session cookie means someone signed in (or with messages waiting): their
    # page may differ, and we never look the session up just to find out.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _request_may_share_a_copy(request):
    return page_cache_enabled() and request.method in ("GET", "HEAD") and not _has_session(request)


def _page_digest(request):
    varying = "|".join(request.META.get(header, "") for header in KEYED_HEADERS)
    # The host is part of the key: absolute URLs in feeds and structured data use it.
    raw = f"{request.get_host()}|{request.get_full_path()}|{varying}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _response_may_be_shared(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies:
        return False
    # A page that asked for a CSRF token (a form) or touched the session is
    # someone's own page, however anonymous they are.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    cache_control = {
        part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    if response.has_header("Vary"):
        varied = {header.strip().lower() for header in response["Vary"].split(",")}
        if "*" in varied or not varied <= _KEYED_VARY:
            return False
    return not has_vary_header(response, "Cookie")


def _keep(key, response):
    if not response.has_header("ETag"):
        set_response_etag(response)
    # content_version() changes on every edit. The timeout bounds memory use, and
    # how long a page stays stale when a change's bump never reached the cache
    # (a worker killed between commit and bump): the safety TTL.
    cache.set(key, response, settings.VIGIL_PAGE_CACHE_SECONDS)


def _not_modified(request, validators):
    """A 304 from the validators alone, or None when the reader's copy is stale."""
    if not (request.META.get("HTTP_IF_NONE_MATCH") or request.META.get("HTTP_IF_MODIFIED_SINCE")):
        return None
    response = get_conditional_response(
        request,
        etag=validators["etag"],
        last_modified=parse_http_date_safe(validators["last_modified"] or ""),
    )
    if response is None or response.status_code != 304:
        return None
    response.headers["ETag"] = validators["etag"]
    if validators["last_modified"]:
        response.headers["Last-Modified"] = validators["last_modified"]
    response.headers[CACHE_STATUS_HEADER] = "hit"
    return response


def _answer_from_copy(request, cached):
    response = get_conditional_response(
        request,
        etag=cached.get("ETag"),
        last_modified=parse_http_date_safe(cached.get("Last-Modified") or ""),
        response=cached,
    )
    response.headers[CACHE_STATUS_HEADER] = "hit"
    return response


def fragment_context(request):
    """`content_version` and `fragment_cache_seconds` for templates, for fragments
    cached where a whole page cannot be (a page with a form, a signed-in editor's
    view of a public page); a fragment that differs for staff adds staff_view:

        {% load cache %}
        {% cache fragment_cache_seconds article-log article.pk content_version staff_view %}…{% endcache %}

    VIGIL_FRAGMENT_CACHE_SECONDS=0 turns fragments off (the tests do).
    Lazy: a page without cached fragments never asks for the version."""
    return {
        "content_version": SimpleLazyObject(_current_version),
        "fragment_cache_seconds": settings.VIGIL_FRAGMENT_CACHE_SECONDS,
    }

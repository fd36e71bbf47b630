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
matches is answered 304 from the cache without rendering anything.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, has_vary_header, set_response_etag
from django.utils.http import parse_http_date_safe

from .freshness import CONTENT_VERSION_KEY, content_version

# content_version() changes on every edit; this only bounds memory use.
PAGE_CACHE_SECONDS = 60 * 60

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
        if not _request_may_share_a_copy(request):
            return view(request, *args, **kwargs)

        digest = _page_digest(request)
        validators_key = f"vigil:page-validators:{digest}"
        # One round trip for the content version and the copy's validators: a
        # conditional GET that matches is answered without fetching the copy.
        found = cache.get_many([CONTENT_VERSION_KEY, validators_key])
        version = found.get(CONTENT_VERSION_KEY) or content_version()
        validators = found.get(validators_key)
        if validators and validators["version"] == version:
            not_modified = _not_modified(request, validators)
            if not_modified is not None:
                return not_modified

        key = f"vigil:page:{version}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            return _answer_from_copy(request, cached)

        response = view(request, *args, **kwargs)
        if request.method == "GET" and _response_may_be_shared(request, response):
            def keep(rendered):
                _keep(key, validators_key, version, rendered)

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


def _request_may_share_a_copy(request):
    if not page_cache_enabled() or request.method not in ("GET", "HEAD"):
        return False
    # A session cookie means someone signed in (or with messages waiting): their
    # page may differ, and we never look the session up just to find out.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


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


def _keep(key, validators_key, version, response):
    if not response.has_header("ETag"):
        set_response_etag(response)
    validators = {
        "version": version,
        "etag": response.get("ETag"),
        "last_modified": response.get("Last-Modified"),
    }
    cache.set_many({key: response, validators_key: validators}, PAGE_CACHE_SECONDS)


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

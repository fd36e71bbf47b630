"""Public pages for anonymous readers: one copy, rendered once, for every reader
and for the edge cache in front (Varnish, a CDN), each kept fresh per page.

    @public_page
    def article_detail(request, slug):
        ...
        shows(request, article, *claims)          # vigil.cachetags

    @public_page(params=["verdict", "page"], lists=["claim"])
    def ledger(request): ...

A page's key is its host, path, the query parameters it declares (`params`;
any others, such as `?utm_source=`, are dropped before the view sees them, so
they neither change the page nor add a copy), the htmx headers and the day.
Its tags (vigil.cachetags: what it shows, the kinds it lists) go out in the
headers edge caches read, and the copy remembers their versions
(vigil.freshness): after an action commits, the copies showing what it
touched are rendered again, the rest keep being served.

After such a change one request renders the page again while the others get
the previous copy (a short lock per page), so a purge of a hot page is one
render, not a stampede.

A copy is served only to a GET or HEAD without a session cookie (signed-in
people always have one, and may see more than readers do). A response is
kept only when it is a plain 200 that used neither the session nor a CSRF
token and sets no cookie, so a page with a form is rendered afresh for every
visitor and its token is never handed to someone else. Each kept copy carries
an ETag (the view's own, or one computed from the content), so a conditional
GET that matches is answered 304 without rendering anything. A hit is one
cache round trip: the copy with its tags' versions (the worker remembers
which tags each page has), and no query. A worker also
keeps the pages it served in its own memory, trusting the tag versions it
read for VIGIL_PAGE_CACHE_LOCAL_SECONDS, so a burst on one piece never leaves
the process.

Cache-Control says what is true (public_cache_control): shared copies are
public with a browser max-age of 0 (revalidate: a cheap 304) and an s-maxage that ends by the next
midnight in the publication's time zone (countdowns turn over then); every
response to someone signed in, or carrying a form token or a cookie, is
`private, no-store` (PrivateResponsesMiddleware).
"""

import datetime
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    has_vary_header,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe

from . import freshness
from .cachetags import TAG_HEADERS, set_tag_headers, shown, shows

# The one request that renders a stale page again holds its lock this long at most.
RENDER_LOCK_SECONDS = 10

# Request headers a public page may vary on. Each is part of the key, so an
# htmx request never gets the full page (or the full page the fragment).
KEYED_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET")
_KEYED_VARY = {"hx-request", "hx-target", "accept-encoding"}
# What a shared copy varies on, for browsers and edge caches: a browser that
# signs in must not reuse the reader's copy.
SHARED_VARY = ("Cookie", "HX-Request", "HX-Target")

CACHE_STATUS_HEADER = "X-Vigil-Cache"
PRIVATE = "private, no-store"


def page_cache_enabled():
    return getattr(settings, "VIGIL_PAGE_CACHE", True)


def public_cache_control(now=None):
    """Cache-Control of a shared copy: never fresh past the next local midnight."""
    edge = settings.VIGIL_EDGE
    now = timezone.localtime(now)
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left = max(int((midnight - now).total_seconds()), 1)
    shared = min(edge["S_MAXAGE"], left)
    return (
        f"public, max-age={min(edge['MAX_AGE'], left)}, s-maxage={shared}, "
        f"stale-while-revalidate={min(edge['STALE_WHILE_REVALIDATE'], left - shared)}, "
        f"stale-if-error={edge['STALE_IF_ERROR']}"
    )


def public_page(view=None, *, params=(), lists=()):
    """Serve and keep whole copies of `view`'s page for anonymous readers.
    `params`: the query parameters the page reads; `lists`: the kinds of
    object it lists (vigil.cachetags.shows)."""
    if view is None:
        return lambda view: public_page(view, params=params, lists=lists)
    params = tuple(params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if _has_session(request):
            # Signed in (or with messages waiting): this answer is theirs alone
            # (and private, no-store: PrivateResponsesMiddleware).
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            return response
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        _keep_only(request, params)
        shows(request, lists=lists)
        if not page_cache_enabled():
            return _render(view, request, args, kwargs)
        digest = _page_digest(request)
        # A page this worker served, whose tags it read in the last moment, is
        # answered from its own memory: no cache round trip, no rendering.
        local = _local_pages.get(digest)
        if local and _locally_fresh(local["tags"]):
            answer = _not_modified(request, local) or _answer_from_copy(request, _rebuild(local))
            return _shared(answer, "hit")

        key = f"vigil:page:{digest}"
        # With the request's other start keys (vigil.freshness.request_start):
        # the view's ETag and fragments need no round trip of their own.
        # The versions of the tags the copy had when this worker last saw it
        # come in the same round trip, read from the cache (not from this
        # worker's memory): a hit is one round trip, as fresh as the cache.
        copy, purges, read = freshness.page_lookup(key, request, _page_tags.get(digest, ()))
        if purges is None:
            # The cache is unavailable: render, as if there were none.
            return _render(view, request, args, kwargs)
        if copy is not None:
            _know_tags(digest, copy["tags"])
            if _versions(copy["tags"], read=read) == copy["tags"]:
                _remember(digest, copy)
                return _shared(_answer_from_copy(request, copy["response"]), "hit")
            lock = f"vigil:page-lock:{digest}"
            if not freshness.page_lock(lock, RENDER_LOCK_SECONDS):
                # Someone is rendering it again: the previous copy meanwhile.
                return _shared(_answer_from_copy(request, copy["response"]), "stale")
            try:
                return _render(view, request, args, kwargs, keep=(key, digest, purges))
            finally:
                freshness.page_unlock(lock)
        return _render(view, request, args, kwargs, keep=(key, digest, purges))

    wrapped.public_page = True
    return wrapped


def _render(view, request, args, kwargs, keep=None):
    """Run the view; a response every reader may share goes out with the
    shared headers and, with `keep` (key, digest, purge count), is kept."""
    response = view(request, *args, **kwargs)
    if response.status_code == 304:
        return _shared(response, None)
    if not _response_may_be_shared(request, response):
        return response
    tags = shown(request)
    set_tag_headers(response, tags)
    if keep is None or request.method != "GET":
        return _shared(response, None)
    key, digest, purges = keep

    def keep_copy(rendered):
        if not rendered.has_header("ETag"):
            set_response_etag(rendered)
        # Tags first, then the purge count (freshness.tags_changed moves them
        # the other way round): a change that committed while this page was
        # rendering shows in the count, and the copy is not kept as fresh.
        versions = _versions(tags, shared=True)
        if versions is None or freshness.purge_count() != purges:
            return
        copy = {"response": rendered, "tags": versions}
        # The timeout bounds memory use, and how long a copy stays stale when
        # a change's purge never reached the cache (the safety TTL).
        freshness.page_keep(key, copy, settings.VIGIL_PAGE_CACHE_SECONDS)
        _know_tags(digest, versions)
        _remember(digest, copy)

    if hasattr(response, "render") and not response.is_rendered:
        response.add_post_render_callback(keep_copy)
    else:
        keep_copy(response)
        response = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified") or ""),
            response=response,
        )
    return _shared(response, "miss")


def _shared(response, status):
    """The headers of every answer from a shared copy, set as it is sent: its
    Cache-Control counts down to midnight from now, not from when it was kept."""
    response.headers["Cache-Control"] = public_cache_control()
    patch_vary_headers(response, SHARED_VARY)
    if status:
        response.headers[CACHE_STATUS_HEADER] = status
    return response


def _keep_only(request, params):
    """The view sees only the query parameters it declared; the rest would
    change neither its page nor its key."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        if name in request.GET:
            kept.setlist(name, request.GET.getlist(name))
    request.META["QUERY_STRING"] = kept.urlencode()
    request.GET = QueryDict(request.META["QUERY_STRING"])


# Each worker process trusts the tag versions it read for
# VIGIL_PAGE_CACHE_LOCAL_SECONDS (1 s by default), and keeps in memory the
# pages it served (at most LOCAL_PAGES_MAX, each under LOCAL_PAGE_MAX_BYTES).
# A burst of readers on one piece then costs no round trip at all; the price
# is that for up to that second after a change a worker may still serve the
# previous copy. Set it to 0 to ask the cache every time.
_local_versions = {}
_local_pages = {}
# Which tags each page's copy had when this process last saw it (its tag
# names, about 1.5 KB for an article with 25 tags; at most PAGE_TAGS_MAX
# pages, whatever LOCAL_PAGES_MAX holds): their versions are then read in the
# same round trip as the copy. Only a hint: a page not in it, or whose copy's
# tags changed, reads the others in a second round trip.
_page_tags = {}
PAGE_TAGS_MAX = 10_000
LOCAL_PAGES_MAX = 200
LOCAL_TAGS_MAX = 20_000
LOCAL_PAGE_MAX_BYTES = 512 * 1024


def _local_seconds():
    return getattr(settings, "VIGIL_PAGE_CACHE_LOCAL_SECONDS", 1.0)


def _locally_fresh(tags):
    ttl = _local_seconds()
    if ttl <= 0:
        return False
    now = time.monotonic()
    for tag, version in tags.items():
        known = _local_versions.get(tag)
        if known is None or now - known[1] >= ttl or known[0] != version:
            return False
    return True


def _know_tags(digest, tags):
    """Remember which tags the copy of page `digest` has, so its next lookup
    reads their versions with it (freshness.page_lookup)."""
    if len(_page_tags) >= PAGE_TAGS_MAX:
        _page_tags.clear()
    _page_tags[digest] = tuple(tags)


def _versions(tags, *, shared=False, read=None):
    """The current versions of `tags`: those in `read` (just read from the
    cache), then from this worker's memory where it read them within the
    interval (unless `shared`), the rest from the cache."""
    ttl = _local_seconds()
    now = time.monotonic()
    current, wanted = {}, []
    if read:
        current.update((tag, read[tag]) for tag in tags if tag in read)
        if ttl > 0:
            if len(_local_versions) > LOCAL_TAGS_MAX:
                _local_versions.clear()
            _local_versions.update((tag, (current[tag], now)) for tag in current)
    for tag in tags:
        if tag in current:
            continue
        known = _local_versions.get(tag)
        if not shared and ttl > 0 and known is not None and now - known[1] < ttl:
            current[tag] = known[0]
        else:
            wanted.append(tag)
    if wanted:
        read = freshness.tag_versions(wanted)
        if read is None:
            return None  # the cache cannot say: nothing is fresh
        current.update(read)
        if ttl > 0:
            if len(_local_versions) > LOCAL_TAGS_MAX:
                _local_versions.clear()
            _local_versions.update((tag, (version, now)) for tag, version in read.items())
    return {tag: current[tag] for tag in tags}


def forget_local_state():
    """Drop what this process remembers (tests; a process that just changed content)."""
    _local_versions.clear()
    _local_pages.clear()
    _page_tags.clear()


def _remember(digest, copy):
    if _local_seconds() <= 0:
        return
    response = copy["response"]
    if len(response.content) > LOCAL_PAGE_MAX_BYTES:
        return
    if len(_local_pages) >= LOCAL_PAGES_MAX:
        _local_pages.clear()  # crude but bounded; the next requests refill it
    _local_pages[digest] = {
        "tags": copy["tags"],
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


def _page_digest(request):
    varying = "|".join(request.META.get(header, "") for header in KEYED_HEADERS)
    # The host is part of the key: absolute URLs in feeds and structured data
    # use it. The day too: countdowns turn over at midnight.
    raw = f"{request.get_host()}|{request.get_full_path()}|{varying}|{timezone.localdate()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _response_may_be_shared(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies:
        return False
    # A page that asked for a CSRF token (a form) or touched the session is
    # someone's own page, however anonymous they are.
    if _carries_a_form_token(request):
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


def _carries_a_form_token(request):
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"))


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
    return response


def _answer_from_copy(request, cached):
    return get_conditional_response(
        request,
        etag=cached.get("ETag"),
        last_modified=parse_http_date_safe(cached.get("Last-Modified") or ""),
        response=cached,
    )


class PrivateResponsesMiddleware:
    """Every response to someone signed in (a session cookie), or carrying a
    form token or a cookie, is `private, no-store`: no edge or browser keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            _has_session(request)
            or _carries_a_form_token(request)
            or response.cookies
        ):
            response.headers["Cache-Control"] = PRIVATE
            # The shared copy's tags mean nothing for a private answer.
            for header in TAG_HEADERS:
                response.headers.pop(header, None)
        return response

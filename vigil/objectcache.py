"""Per-object fragments: a claim's block, a badge, a log entry, a review,
rendered once and reused on every page that shows the object until it changes.

A page that cannot be served whole (a miss after a purge, a signed-in editor,
a filter nobody asked for before) is mostly made of objects that did not
change: after a review of one claim the ledger misses, but 49 of its 50 rows
are as they were. Each fragment here is kept under its object, with the
versions of the object's cache tags (vigil.cachetags, vigil.freshness) it was
rendered at; it is served while they still hold. The view names the
fragments its page shows before rendering, and they are fetched, with the
current versions of their tags, in one round trip:

    fragments = ObjectFragments(request)           # before the view's queries
    ...claims = list(...)
    fragments.want("claim-block", claims, tags=lambda claim: [tag("claim", claim.code)])
    fragments.fetch()
    prefetch_related_objects(fragments.missing("claim-block"), "triggers")
    response = render(request, template, {"fragments": fragments, ...})
    fragments.store()

    {% load objectcache %}
    {% objectfragment "claim-block" claim %}…{% endobjectfragment %}

Only what the fragment shows of its object belongs inside it; a viewer's own
parts (an editor's staff links) go beside it, so readers and editors share one
copy. A fragment that differs for staff says so (`variant`).

Fresh, never stale: the versions are read after the page's rows, and a copy is
stored only when no purge happened since the request started (the purge count,
vigil.freshness: it moves before any tag does), so a copy never holds older
rows than its versions say. Every key carries the day (countdowns turn over at
midnight). While the cache is unavailable everything renders and nothing is
kept. VIGIL_FRAGMENT_CACHE_SECONDS=0 turns fragments off: no round trip at all.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import freshness
from .cache import CacheUnavailable, strict
from .cachetags import tag

_KEY = "vigil:of:"


def claim_tag(claim):
    """A claim's own tag, not its article's: its block and badge move with the
    claim (every action that changes one touches it), not with each change to
    a sibling claim of the same article."""
    return [tag("claim", claim.code)]


def badge_fragment(size="", retired=False):
    """The name a verdict badge is kept under: one per look."""
    return "badge" + (f"-{size}" if size else "") + ("-retired" if retired else "")


def fragments_enabled():
    return settings.VIGIL_FRAGMENT_CACHE_SECONDS > 0


class ObjectFragments:
    """The per-object fragments of one page."""

    def __init__(self, request=None):
        self.enabled = fragments_enabled()
        self._wanted = {}  # (name, pk) -> (key, tags)
        self._found = {}  # (name, pk) -> html
        self._missing = {}  # name -> [objects]
        self._rendered = {}  # key -> (versions, html)
        self._versions = {}
        self._purges = None
        if self.enabled:
            self._purges = purges_seen(request)

    def want(self, name, objects, *, tags, variant=""):
        """The page shows fragment `name` of each of `objects`; `tags(obj)` names
        the tags whose versions it is kept by."""
        day = timezone.localdate().isoformat()
        for obj in objects:
            if obj is None:
                continue
            self._missing.setdefault(name, [])
            if not self.enabled:
                self._missing[name].append(obj)
                continue
            key = f"{_KEY}{name}:{variant}:{obj.pk}:{day}"
            self._wanted[(name, obj.pk)] = (key, tuple(tags(obj)), obj)

    def fetch(self):
        """The wanted fragments still fresh, and the tags' versions: one round trip."""
        if not self._wanted:
            return self  # off: want() listed every object as missing
        tag_keys = {freshness.tag_key(t) for _, tags, _ in self._wanted.values() for t in tags}
        keys = [*tag_keys, freshness.PURGE_COUNT_KEY, *(key for key, _, _ in self._wanted.values())]
        try:
            with strict():
                found = cache.get_many(keys)
        except CacheUnavailable:
            found = None
        versions = {}
        if found is not None:
            versions = {k[len(freshness.TAG_PREFIX):]: found[k] for k in tag_keys if k in found}
            absent = [k[len(freshness.TAG_PREFIX):] for k in tag_keys if k not in found]
            if absent:
                started = freshness.tag_versions(absent)
                if started is None:
                    found = None
                else:
                    versions.update(started)
        # A purge since the request began (or no word from the cache): serve
        # what still matches, keep nothing rendered now.
        if found is None or self._purges is None or found.get(freshness.PURGE_COUNT_KEY, 0) != self._purges:
            self._purges = None
        self._versions = versions
        self._missing = {name: [] for name in self._missing}
        for (name, pk), (key, tags, obj) in self._wanted.items():
            now = tuple(versions.get(t) for t in tags)
            copy = found.get(key) if found else None
            if copy is not None and None not in now and copy[0] == now:
                self._found[(name, pk)] = copy[1]
            else:
                self._missing[name].append(obj)
        return self

    def missing(self, name):
        """The objects whose fragment `name` must be rendered (prefetch for these only)."""
        return self._missing.get(name, [])

    def get(self, name, obj):
        return self._found.get((name, obj.pk))

    def rendered(self, name, obj, html):
        """Keep `html`, fragment `name` of `obj` rendered now, for store()."""
        wanted = self._wanted.get((name, obj.pk))
        if wanted is None or self._purges is None:
            return
        key, tags, _ = wanted
        now = tuple(self._versions.get(t) for t in tags)
        if None not in now:
            self._rendered[key] = (now, html)

    def store(self):
        """Keep what this page rendered, in one round trip."""
        if self._rendered:
            cache.set_many(self._rendered, settings.VIGIL_FRAGMENT_CACHE_SECONDS)
            self._rendered = {}

    @property
    def hits(self):
        return len(self._found)


def purges_seen(request):
    """The purge count when this request began, read with its other start keys
    (vigil.freshness.request_start); None while the cache cannot say."""
    if request is None:
        return freshness.purge_count()
    return freshness.purges_at_start(request)

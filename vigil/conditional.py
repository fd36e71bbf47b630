"""ETag and Last-Modified, computed without rendering: the one conditional-GET
helper of public pages, feeds and the JSON API.

A reader's browser, a feed reader or an API client polling an unchanged
resource gets a 304 for the price of one small aggregate query. Each view
names its stamps (the newest changes among the rows it shows); every ETag
also folds in vigil.freshness.content_version(), which every action bumps and
the daily job bumps at midnight (countdowns move on), so the timestamps only
guard against a change that forgot to bump it. Where a resource shows
countdowns, Last-Modified is never earlier than today's local midnight.

    def article_stamps(request, slug):
        return Article.objects.filter(slug=slug).annotate(...).values(...).first()

    @conditional("article", article_stamps)
    def article_detail(request, slug): ...

The owning app writes the stamps; nothing here knows an app.
"""

import datetime
import hashlib

from django.db import connections
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.views.decorators.http import condition

from .freshness import content_version
from .roles import staff_view

_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _midnight_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def memo(request, key, compute):
    """compute() once per request: condition() asks for the ETag, then for
    Last-Modified, and a view may read the same stamps again."""
    cache = request.__dict__.setdefault("_vigil_conditional", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def newest(model, expression):
    """A subquery for an annotation of `model`: the largest `expression` (a
    lookup through a relation, e.g. "claims__updated_at") among the rows related
    to the outer row. One subquery per relation, not one join of them all: an
    article's claims × entries must not multiply rows."""
    return Subquery(
        model._default_manager.filter(pk=OuterRef("pk"))
        .values("pk")
        .annotate(latest=Max(expression))
        .values("latest")[:1]
    )


class CompiledRow:
    """The first row of a .values() query, compiled to SQL once per process and
    database, then run with each request's value: validators are one row of
    correlated subqueries (`newest`), and the ORM's building and compiling of
    that query cost more CPU than the database's running it (7,800 function
    calls an article page, bench/PROFILE.md).

        stamps = CompiledRow(lambda slug: Article.objects.filter(slug=slug).annotate(...).values(...))
        stamps.first("grid-prices")   # {"pk": …, "updated_at": …} or None

    `build(value)` must use `value` as one query parameter, and only there."""

    _MARKER = "\x00vigil-compiled-row\x00"

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def _compile(self, connection):
        queryset = self.build(self._MARKER)
        query = queryset.order_by("pk")[:1].query if not queryset.ordered else queryset[:1].query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [index for index, param in enumerate(params) if param == self._MARKER]
        if len(slots) != 1:
            raise ValueError("CompiledRow: the value must be exactly one parameter of the query")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column[0] for column in compiler.select])
        return sql, list(params), slots[0], names, converters

    def first(self, value, using="default"):
        connection = connections[using]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        sql, params, slot, names, converters = compiled
        params = [*params[:slot], value, *params[slot + 1:]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
        return dict(zip(names, row))


def etag(*parts, request=None):
    version = content_version(request)
    text = "|".join(str(part) for part in (version, timezone.localdate(), *parts))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _values(stamps):
    return list(stamps.values()) if isinstance(stamps, dict) else list(stamps)


def conditional(kind, stamps, *, countdowns=True):
    """django's condition() for a view whose freshness is `stamps(request, *args,
    **kwargs)`: a dict or tuple of values (ids, counts, datetimes), or None when
    there is nothing to validate (the view then answers, e.g. with its 404).
    `countdowns` says the resource shows countdowns, which change at midnight."""

    def read(request, *args, **kwargs):
        return memo(request, ("stamps", kind), lambda: stamps(request, *args, **kwargs))

    def etag_func(request, *args, **kwargs):
        row = read(request, *args, **kwargs)
        if row is None:
            return None
        # The staff view of a page is another page: its own validators, so a
        # browser holding the reader's copy never gets a 304 for it.
        viewer = "staff" if staff_view(request) else "reader"
        return etag(kind, request.get_full_path(), viewer, *_values(row), request=request)

    def last_modified_func(request, *args, **kwargs):
        row = read(request, *args, **kwargs)
        if row is None:
            return None
        moments = [value for value in _values(row) if isinstance(value, datetime.datetime)]
        if countdowns:
            return max([_midnight_today(), *moments])
        return max(moments, default=_EPOCH)

    return condition(etag_func=etag_func, last_modified_func=last_modified_func)


def stamps_of(request, kind):
    """The stamps conditional() read for this request (None before it ran)."""
    return request.__dict__.get("_vigil_conditional", {}).get(("stamps", kind))


# --- Feeds -------------------------------------------------------------------

# Every feed is validated by the newest row of each kind that feeds show (new
# articles, verdict changes, correction-log entries): the apps owning those
# rows add their stamp in AppConfig.ready(), so a feed reader's poll costs one
# read from the end of an index per kind, whichever feed it asks for.
_feed_stamps = []


def feed_stamp(stamp):
    """Register `stamp(pillar_slug)`: the newest change (a datetime or None)
    among the rows of one kind, of one pillar when a slug is given."""
    if stamp not in _feed_stamps:
        _feed_stamps.append(stamp)


def _feed_stamps_now(request, slug=None, **kwargs):
    return tuple(stamp(slug) for stamp in _feed_stamps)


feed_conditional = conditional("feed", _feed_stamps_now, countdowns=False)

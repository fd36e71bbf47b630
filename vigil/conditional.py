"""ETag and Last-Modified for public pages, computed without rendering them.

A reader's browser or a feed reader polling an unchanged page gets a 304 for
the price of one small aggregate query. Every ETag folds in
vigil.freshness.content_version(), which services bump on every change readers
see and the daily job bumps at midnight (countdowns move on); the timestamps
guard against a change that forgot to bump it. Last-Modified is never earlier
than today's local midnight, because the badges' countdowns change then.

Use with django.views.decorators.http.condition:

    @condition(etag_func=article_etag, last_modified_func=article_last_modified)
    def article_detail(request, slug): ...
"""

import datetime
import hashlib

from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from vigil.freshness import content_version

_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _midnight_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _latest(*stamps):
    return max([_midnight_today(), *(stamp for stamp in stamps if stamp is not None)])


def _memo(request, key, compute):
    """condition() asks for the ETag and then Last-Modified: query once per request."""
    cache = request.__dict__.setdefault("_vigil_conditional", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _newest(queryset, *, of, expression):
    """A subquery: the largest `expression` over `queryset`'s rows that belong to
    the outer row (`of` names the link). Subqueries, not joins: an article's
    claims × entries must not multiply rows."""
    return Subquery(
        queryset.filter(**{of: OuterRef("pk")})
        .values(of)
        .annotate(latest=Max(expression))
        .values("latest")[:1]
    )


def _etag(*parts):
    text = "|".join(str(part) for part in (content_version(), timezone.localdate(), *parts))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


# --- Article page ------------------------------------------------------------


def _article_stamps(slug):
    from articles.models import Article, Rewrite
    from claims.models import Claim
    from corrections.models import Amendment, CorrectionEntry

    # Correction entries are append-only: the newest one says all a count would.
    return (
        Article.objects.filter(slug=slug)
        .annotate(
            claims_changed=_newest(Claim.objects, of="article", expression="updated_at"),
            entries_changed=_newest(CorrectionEntry.objects, of="article", expression="created_at"),
            amendments_changed=_newest(
                Amendment.objects, of="entry__article", expression="amended_at"
            ),
            rewrites_changed=_newest(
                Rewrite.objects, of="article", expression=Coalesce("decided_at", "created_at")
            ),
        )
        .values(
            "pk", "updated_at", "claims_changed", "entries_changed", "amendments_changed",
            "rewrites_changed",
        )
        .first()
    )


def article_etag(request, slug, **kwargs):
    row = _memo(request, ("article", slug), lambda: _article_stamps(slug))
    if row is None:
        return None
    return _etag("article", *row.values())


def article_last_modified(request, slug, **kwargs):
    row = _memo(request, ("article", slug), lambda: _article_stamps(slug))
    if row is None:
        return None
    return _latest(
        row["updated_at"], row["claims_changed"], row["entries_changed"],
        row["amendments_changed"], row["rewrites_changed"],
    )


# --- Claim page --------------------------------------------------------------


def _claim_stamps(code):
    from claims.models import Claim
    from corrections.models import CorrectionEntry
    from dissent.models import Dissent
    from reviews.models import Review

    return (
        Claim.objects.filter(code=code)
        .annotate(
            reviews_changed=_newest(Review.objects, of="claim", expression="created_at"),
            entries_changed=_newest(CorrectionEntry.objects, of="claim", expression="created_at"),
            dissent_changed=_newest(Dissent.objects, of="claim", expression="weighed_at"),
        )
        .values(
            "pk", "updated_at", "article__updated_at", "reviews_changed", "entries_changed",
            "dissent_changed",
        )
        .first()
    )


def claim_etag(request, code, **kwargs):
    row = _memo(request, ("claim", code), lambda: _claim_stamps(code))
    if row is None:
        return None
    return _etag("claim", *row.values())


def claim_last_modified(request, code, **kwargs):
    row = _memo(request, ("claim", code), lambda: _claim_stamps(code))
    if row is None:
        return None
    return _latest(
        row["updated_at"], row["article__updated_at"], row["reviews_changed"],
        row["entries_changed"], row["dissent_changed"],
    )


# --- Feeds -------------------------------------------------------------------


def _feed_stamps(pillar_slug=None):
    """The newest article, review and correction-log entry (optionally of one pillar)."""
    from articles.models import Article
    from corrections.models import CorrectionEntry
    from reviews.models import Review

    articles = Article.objects.all()
    reviews = Review.objects.all()
    entries = CorrectionEntry.objects.all()
    if pillar_slug:
        articles = articles.filter(pillar__slug=pillar_slug)
        reviews = reviews.filter(claim__article__pillar__slug=pillar_slug)
        entries = entries.filter(article__pillar__slug=pillar_slug)
    # Each maximum is read from the end of an index; entries are append-only,
    # so the newest one says all a count would.
    return (
        articles.aggregate(latest=Max("updated_at"))["latest"],
        reviews.aggregate(latest=Max("created_at"))["latest"],
        entries.aggregate(latest=Max("created_at"))["latest"],
    )


def feed_etag(request, slug=None, **kwargs):
    articles, reviews, entries = _memo(request, ("feed", slug), lambda: _feed_stamps(slug))
    return _etag("feed", request.path, articles, reviews, entries)


def feed_last_modified(request, slug=None, **kwargs):
    articles, reviews, entries = _memo(request, ("feed", slug), lambda: _feed_stamps(slug))
    return max(stamp or _EPOCH for stamp in (articles, reviews, entries))

"""The verdict-changes feed: each review that moved a claim's verdict, dated
(Atom and RSS, site-wide and per pillar; see articles/feeds.py); and each
claim's own feed of its reviews (/claims/AM-060/feed.atom)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.feeds import FEED_LENGTH, PillarFeed, day_start, plain_text
from claims.models import Claim
from vigil.conditional import conditional
from vigil.pagecache import public_page

from .conditional import claim_page_stamps
from .models import Review


class VerdictChangesFeed(PillarFeed):
    kind = "verdict changes"

    def subtitle(self, pillar):
        return "Each review that moved a claim's verdict, dated."

    description = subtitle

    def items(self, pillar):
        reviews = Review.objects.verdict_changes()
        if pillar:
            reviews = reviews.filter(claim__article__pillar=pillar)
        return reviews[:FEED_LENGTH]

    def item_title(self, review):
        return plain_text(
            f"{review.claim.code}: {review.get_verdict_before_display()} → "
            f"{review.get_verdict_after_display()}"
        )

    def item_description(self, review):
        return escape(f"{review.claim.statement} — {review.reasoning}")

    def item_link(self, review):
        return f"{review.claim.get_absolute_url()}#review-{review.pk}"

    def item_guid(self, review):
        return f"{settings.SITE_URL}{review.claim.get_absolute_url()}#review-{review.pk}"

    def item_pubdate(self, review):
        return day_start(review.reviewed_on)

    def item_updateddate(self, review):
        return review.created_at


def reviews_changed(pillar_slug):
    """The reviews' feed stamp (vigil.conditional.feed_stamp)."""
    reviews = Review.objects.all()
    if pillar_slug:
        reviews = reviews.filter(claim__article__pillar__slug=pillar_slug)
    return reviews.aggregate(latest=Max("created_at"))["latest"]


class ClaimReviewsFeed(Feed):
    """One claim's reviews, newest first: each review, and so each verdict change."""

    feed_type = Atom1Feed

    def get_object(self, request, code):
        return get_object_or_404(
            Claim.objects.select_related("article"), code=code, article__status__in=["published", "retired"]
        )

    def title(self, claim):
        return f"{claim.code}: reviews"

    def subtitle(self, claim):
        return claim.statement

    def link(self, claim):
        return claim.get_absolute_url()

    def author_name(self):
        return settings.VIGIL["PUBLICATION_NAME"]

    def feed_guid(self, claim):
        return f"{settings.SITE_URL}{claim.get_absolute_url()}feed.atom"

    def items(self, claim):
        return Review.objects.filter(claim=claim).select_related("claim").order_by("-reviewed_on", "-pk")[:FEED_LENGTH]

    def item_title(self, review):
        if review.verdict_changed:
            return f"{review.get_verdict_before_display()} → {review.get_verdict_after_display()}"
        return f"Reviewed: still {review.get_verdict_after_display()}"

    item_description = VerdictChangesFeed.item_description
    item_link = VerdictChangesFeed.item_link
    item_guid = VerdictChangesFeed.item_guid
    item_pubdate = VerdictChangesFeed.item_pubdate
    item_updateddate = VerdictChangesFeed.item_updateddate


claim_feed = public_page(conditional("claim-feed", claim_page_stamps, countdowns=False)(ClaimReviewsFeed()))

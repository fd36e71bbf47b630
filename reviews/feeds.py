"""The verdict-changes feed: each review that moved a claim's verdict, dated
(Atom and RSS, site-wide and per pillar; see articles/feeds.py)."""

from django.conf import settings
from django.db.models import Max
from django.utils.html import escape

from articles.feeds import FEED_LENGTH, PillarFeed, day_start, plain_text

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

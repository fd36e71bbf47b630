"""Atom (and RSS) feeds: new articles, verdict changes and correction-log
entries, site-wide and per pillar. Feed readers poll, so every feed answers
conditional GETs (vigil.conditional) without building the feed.

Descriptions are escaped here: feed readers treat <summary type="html"> as HTML,
and the texts are written by editors and readers, not by the sanitiser.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from corrections.models import CorrectionEntry
from reviews.models import Review

from .models import Article, Pillar

FEED_LENGTH = 30


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _publication():
    return settings.VIGIL["PUBLICATION_NAME"]


class PillarFeed(Feed):
    """A feed that is site-wide, or one pillar's when the URL names a pillar slug."""

    feed_type = Atom1Feed
    kind = ""

    def get_object(self, request, slug=None):
        return get_object_or_404(Pillar, slug=slug) if slug else None

    def title(self, pillar):
        scope = pillar.name if pillar else _publication()
        return f"{scope}: {self.kind}"

    def link(self, pillar):
        return pillar.get_absolute_url() if pillar else "/"

    def author_name(self):
        return _publication()

    def feed_guid(self, pillar):
        # A stable id that is the same for the Atom and the RSS flavour.
        scope = f"pillars/{pillar.slug}/" if pillar else ""
        return f"{settings.SITE_URL}/{scope}feeds/{self.kind.replace(' ', '-')}"


class ArticlesFeed(PillarFeed):
    kind = "new articles"

    def subtitle(self, pillar):
        return "Articles as they are published, with their primary claim's verdict."

    description = subtitle

    def items(self, pillar):
        articles = Article.objects.for_listing()
        if pillar:
            articles = articles.filter(pillar=pillar)
        return articles[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        claim = article.primary_claim
        verdict = f" Verdict on {claim.code}: {claim.get_verdict_display()}." if claim else ""
        return escape(f"{article.dek}{verdict}")

    def item_guid(self, article):
        return f"{settings.SITE_URL}{article.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, article):
        return _day_start(article.published_on)

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [name for name in (article.section.name, article.pillar and article.pillar.name) if name]


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
        return (
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
        return _day_start(review.reviewed_on)

    def item_updateddate(self, review):
        return review.created_at


class CorrectionsFeed(PillarFeed):
    kind = "correction log"

    def subtitle(self, pillar):
        return "Dated corrections, clarifications, updates, rewrites and verdict changes."

    description = subtitle

    def items(self, pillar):
        entries = CorrectionEntry.objects.public().select_related("article").newest_first()
        if pillar:
            entries = entries.filter(article__pillar=pillar)
        return entries[:FEED_LENGTH]

    def item_title(self, entry):
        return f"{entry.get_kind_display()}: {entry.article.title}"

    def item_description(self, entry):
        return escape(entry.text)

    def item_link(self, entry):
        return entry.get_absolute_url()

    def item_guid(self, entry):
        return f"{settings.SITE_URL}{entry.get_absolute_url()}"

    def item_pubdate(self, entry):
        return _day_start(entry.entry_on)

    def item_updateddate(self, entry):
        return entry.created_at


def rss(feed_class):
    """The same feed as RSS 2.0."""
    return type(f"{feed_class.__name__}Rss", (feed_class,), {"feed_type": Rss201rev2Feed})

"""The correction-log feed: dated corrections, clarifications, updates,
rewrites and verdict changes (Atom and RSS, site-wide and per pillar; see
articles/feeds.py)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.feeds import FEED_LENGTH, PillarFeed, day_start, plain_text
from articles.models import Article
from vigil.conditional import conditional
from vigil.pagecache import public_page

from .models import CorrectionEntry


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
        return plain_text(f"{entry.get_kind_display()}: {entry.article.title}")

    def item_description(self, entry):
        return escape(entry.text)

    def item_link(self, entry):
        return entry.get_absolute_url()

    def item_guid(self, entry):
        return f"{settings.SITE_URL}{entry.get_absolute_url()}"

    def item_pubdate(self, entry):
        return day_start(entry.entry_on)

    def item_updateddate(self, entry):
        return entry.created_at


def entries_changed(pillar_slug):
    """The correction log's feed stamp (vigil.conditional.feed_stamp). Entries
    are append-only, so the newest one says all a count would."""
    entries = CorrectionEntry.objects.all()
    if pillar_slug:
        entries = entries.filter(article__pillar__slug=pillar_slug)
    return entries.aggregate(latest=Max("created_at"))["latest"]


class ArticleLogFeed(Feed):
    """One article's correction log, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Article, slug=slug, status__in=["published", "retired"])

    def title(self, article):
        return f"{article.title}: correction log"

    def link(self, article):
        return article.get_absolute_url()

    def author_name(self):
        return settings.VIGIL["PUBLICATION_NAME"]

    def feed_guid(self, article):
        return f"{settings.SITE_URL}{article.get_absolute_url()}feed.atom"

    def items(self, article):
        return CorrectionEntry.objects.filter(article=article).select_related("article").newest_first()[:FEED_LENGTH]

    item_title = CorrectionsFeed.item_title
    item_description = CorrectionsFeed.item_description
    item_link = CorrectionsFeed.item_link
    item_guid = CorrectionsFeed.item_guid
    item_pubdate = CorrectionsFeed.item_pubdate
    item_updateddate = CorrectionsFeed.item_updateddate


def _article_log_stamps(request, slug):
    return CorrectionEntry.objects.filter(article__slug=slug).aggregate(
        latest=Max("created_at"), amended=Max("amendments__amended_at")
    )


article_log_feed = public_page(conditional("article-log-feed", _article_log_stamps, countdowns=False)(ArticleLogFeed()))

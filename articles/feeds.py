"""Atom (and RSS) feeds, site-wide and per pillar: the new-articles feed, and
what every feed shares (PillarFeed, feed_paths). The verdict-changes feed is
reviews/feeds.py, the correction-log feed corrections/feeds.py. Feed readers
poll, so every feed answers conditional GETs (vigil.conditional) without
building the feed.

Descriptions are escaped here: feed readers treat <summary type="html"> as HTML,
and the texts are written by editors and readers, not by the sanitiser.
Titles are plain text (plain_text): many readers show a title as HTML, so any
markup typed into one is stripped, and the feed framework escapes the rest once.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, strip_tags

from vigil.conditional import feed_conditional
from vigil.pagecache import public_page

from .models import Article, Pillar

FEED_LENGTH = 30


def day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def plain_text(text):
    """A feed title: tags stripped, whitespace folded; escaped once, by the feed."""
    return " ".join(strip_tags(text).split())


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
        return plain_text(f"{scope}: {self.kind}")

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
        return plain_text(article.title)

    def item_description(self, article):
        claim = article.primary_claim
        verdict = f" Verdict on {claim.code}: {claim.get_verdict_display()}." if claim else ""
        return escape(f"{article.dek}{verdict}")

    def item_guid(self, article):
        return f"{settings.SITE_URL}{article.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, article):
        return day_start(article.published_on)

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [name for name in (article.section.name, article.pillar and article.pillar.name) if name]


def rss(feed_class):
    """The same feed as RSS 2.0."""
    return type(f"{feed_class.__name__}Rss", (feed_class,), {"feed_type": Rss201rev2Feed})


def feed_paths(name, feed_class):
    """The URL patterns of one feed: Atom and RSS, site-wide and per pillar.
    Feed readers poll: each answers from the page cache or with a 304, and the
    feed is built once per change."""

    def view(flavour):
        # Feeds carry verdicts, titles and log entries: every kind they list.
        return public_page(lists=["article", "claim", "pillar"])(feed_conditional(flavour()))

    atom, rss_ = feed_class, rss(feed_class)
    return [
        path(f"feeds/{name}.atom", view(atom), name=name),
        path(f"feeds/{name}.rss", view(rss_), name=f"{name}-rss"),
        path(f"pillars/<slug:slug>/feeds/{name}.atom", view(atom), name=f"pillar-{name}"),
        path(f"pillars/<slug:slug>/feeds/{name}.rss", view(rss_), name=f"pillar-{name}-rss"),
    ]


def articles_changed(pillar_slug):
    """The articles' feed stamp (vigil.conditional.feed_stamp)."""
    articles = Article.objects.all()
    if pillar_slug:
        articles = articles.filter(pillar__slug=pillar_slug)
    return articles.aggregate(latest=Max("updated_at"))["latest"]

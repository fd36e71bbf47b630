"""The sitemap's sections for articles, pillars and the standing pages
(gathered in claims/sitemaps.py). Drafts and retired pieces never appear."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Pillar, Section


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class PillarSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Pillar.objects.order_by("pk")


class SectionSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Section.objects.order_by("pk")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return [
            "articles:home", "articles:archive", "articles:pillars", "articles:method", "claims:ledger",
            "corrections:log", "corrections:policy",
        ]

    def location(self, name):
        return reverse(name)

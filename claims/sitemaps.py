"""sitemap.xml: published, unretired articles, their claims, the pillars and
the standing pages. Drafts and retired pieces never appear."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles.sitemaps import ArticleSitemap, PageSitemap, PillarSitemap, SectionSitemap

from .models import Claim


class ClaimSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Claim.objects.active().order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "claims": ClaimSitemap,
    "pillars": PillarSitemap,
    "sections": SectionSitemap,
}

# Included from vigil/urls.py without a namespace: reverse("sitemap").
urlpatterns = [path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap")]

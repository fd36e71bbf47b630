"""sitemap.xml and robots.txt: published, unretired articles, their claims,
the pillars and the standing pages. Drafts and retired pieces never appear."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from articles.models import Article, Pillar
from claims.models import Claim


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class ClaimSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Claim.objects.active().order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at


class PillarSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Pillar.objects.order_by("pk")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return ["articles:home", "articles:pillars", "articles:method", "claims:ledger", "corrections:log"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "claims": ClaimSitemap,
    "pillars": PillarSitemap,
}


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /desk/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

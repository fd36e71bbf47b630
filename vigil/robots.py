"""robots.txt: keep crawlers off the desk, point them at the sitemap (whose
sections are claims/sitemaps.py)."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control

from .readonly import read_only


@read_only
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

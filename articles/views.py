from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from claims.models import Claim, EvidenceTrigger
from corrections.models import CorrectionEntry
from vigil.pagecache import public_page

from .models import Article, Pillar, Section

HOME_ARTICLE_COUNT = 12


@public_page
def home(request):
    articles = Article.objects.for_listing()[:HOME_ARTICLE_COUNT]
    return render(request, "articles/home.html", {"articles": articles})


@public_page
def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.select_related("section", "pillar", "redirect_to").prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.order_by("-is_primary", "code").prefetch_related(
                    Prefetch("triggers", queryset=EvidenceTrigger.objects.order_by("position", "pk"))
                ),
            ),
            Prefetch(
                "correction_entries",
                queryset=CorrectionEntry.objects.select_related("signoff_request").order_by(
                    "entry_on", "pk"
                ),
            ),
        ),
        slug=slug,
    )
    if article.status == Article.Status.RETIRED:
        return redirect(article.redirect_to, permanent=True)
    if article.status != Article.Status.PUBLISHED:
        raise Http404("No such article.")

    claims = list(article.claims.all())
    primary_claim = next((claim for claim in claims if claim.is_primary), claims[0] if claims else None)
    # The article is published, so "others" is the pillar's count less one: without
    # an id filter the count is an index-only scan of article_pillar_idx.
    pillar_other_count = (
        Article.objects.published().filter(pillar=article.pillar_id).count() - 1
        if article.pillar_id
        else 0
    )
    context = {
        "article": article,
        "claims": claims,
        "primary_claim": primary_claim,
        "secondary_claims": [claim for claim in claims if claim is not primary_claim],
        "correction_entries": article.correction_entries.all(),
        "open_rewrite": article.rewrites.open().first(),
        "pillar_other_count": pillar_other_count,
    }
    return render(request, "articles/article_detail.html", context)


@public_page
def pillar_detail(request, slug):
    pillar = get_object_or_404(Pillar, slug=slug)
    articles = Article.objects.for_listing().filter(pillar=pillar)
    return render(request, "articles/pillar_detail.html", {"pillar": pillar, "articles": articles})


@public_page
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.for_listing().filter(section=section)
    return render(request, "articles/section_detail.html", {"section": section, "articles": articles})


@public_page
def how_this_works(request):
    return render(request, "articles/how_this_works.html")

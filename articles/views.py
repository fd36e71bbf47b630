from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import condition

from claims.models import Claim, EvidenceTrigger
from corrections.models import CorrectionEntry
from vigil.conditional import article_etag, article_last_modified

from .health import Health
from .models import Article, Page, Pillar, Section
from .search import SearchForm, search

HOME_ARTICLE_COUNT = 12


def home(request):
    articles = Article.objects.for_listing()[:HOME_ARTICLE_COUNT]
    return render(request, "articles/home.html", {"articles": articles})


@condition(etag_func=article_etag, last_modified_func=article_last_modified)
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
    pillar_other_count = (
        Article.objects.published().filter(pillar=article.pillar_id).exclude(pk=article.pk).count()
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


def pillar_index(request):
    pillars = [
        (pillar, Health.of(pillar))
        for pillar in Pillar.objects.with_health(on=timezone.localdate()).order_by("name")
    ]
    return render(request, "articles/pillar_index.html", {"pillars": pillars})


def pillar_detail(request, slug):
    pillar = get_object_or_404(Pillar.objects.with_health(on=timezone.localdate()), slug=slug)
    articles = Article.objects.for_listing().filter(pillar=pillar)
    context = {"pillar": pillar, "health": Health.of(pillar), "articles": articles}
    return render(request, "articles/pillar_detail.html", context)


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.for_listing().filter(section=section)
    return render(request, "articles/section_detail.html", {"section": section, "articles": articles})


def how_this_works(request):
    page = Page.objects.filter(slug=Page.METHOD_SLUG).first()
    return render(request, "articles/how_this_works.html", {"page": page})


def search_page(request):
    """Search articles and claims. A search page, not a form post: GET only, no
    per-visitor state, so it can be cached like any public page."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound:
        # Invalid filters are dropped (and said so next to the field); the words still search.
        data = form.cleaned_data if form.is_valid() else {
            name: form.cleaned_data.get(name) for name in ("q", "pillar", "verdict")
        }
        results = search(data.get("q") or "", pillar=data.get("pillar"), verdict=data.get("verdict"))
    return render(request, "articles/search.html", {"form": form, "results": results})

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import condition

from dissent.models import Dissent
from reviews.models import Review
from vigil.conditional import claim_etag, claim_last_modified
from vigil.pagecache import public_page
from vigil.pagination import BoundedPaginator

from .forms import LedgerFilterForm
from .models import Claim
from .timeline import build_timeline

LEDGER_PAGE_SIZE = 50


@public_page
@condition(etag_func=claim_etag, last_modified_func=claim_last_modified)
def claim_detail(request, code):
    """A claim's public page: badge, verdict-history timeline, every review
    with its reasoning, and the material dissent weighed."""
    # Reviews are prefetched onto the claim so the ClaimReview JSON-LD in the
    # head reads the same rows as the timeline: one query for both.
    claim = get_object_or_404(
        Claim.objects.select_related("article__pillar", "article__section")
        .filter(article__status__in=["published", "retired"])
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("editor")
                .prefetch_related(
                    Prefetch(
                        "dissent_weighed",
                        queryset=Dissent.objects.material(),
                        to_attr="material_dissent",
                    )
                )
                .order_by("reviewed_on", "pk"),
            )
        ),
        code=code,
    )
    reviews = list(claim.reviews.all())
    material_dissent = list(
        claim.dissent.material()
        .filter(weighed_in_review__isnull=True)
        .order_by("-weighed_at", "-pk")
    )
    context = {
        "claim": claim,
        "reviews": reviews[::-1],  # newest first on the page; the chart reads left to right
        "timeline": build_timeline(
            [(review.reviewed_on, review.verdict_after) for review in reviews]
        ),
        "material_dissent": material_dissent,
    }
    return render(request, "claims/claim_detail.html", context)


@public_page
def ledger(request):
    """Every claim of a live article, filterable and sortable by next review."""
    today = timezone.localdate()
    claims = Claim.objects.active().select_related("article__pillar")
    form = LedgerFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    claims = form.filter(claims, on=today)
    page = BoundedPaginator(claims, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "claims/ledger.html", {"form": form, "page": page})

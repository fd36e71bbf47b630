from django.shortcuts import render
from django.utils import timezone

from vigil.pagecache import public_page
from vigil.pagination import KeysetPaginator

from .forms import LedgerFilterForm
from .models import Claim
from .search import SearchForm, search

LEDGER_PAGE_SIZE = 50


@public_page
def ledger(request):
    """Every claim of a live article, filterable and sortable by next review."""
    today = timezone.localdate()
    claims = Claim.objects.active().select_related("article__pillar")
    form = LedgerFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    claims = form.filter(claims, on=today)
    page = KeysetPaginator(claims, LEDGER_PAGE_SIZE, order=form.order()).page(request.GET)
    return render(request, "claims/ledger.html", {"form": form, "page": page})


@public_page
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
    return render(request, "claims/search.html", {"form": form, "results": results})

from django.shortcuts import get_object_or_404, render

from vigil.pagecache import public_page

from .models import Claim


@public_page
def claim_detail(request, code):
    # Placeholder until the claim page lands (editor-desk issue): the article page links here.
    claim = get_object_or_404(Claim.objects.select_related("article"), code=code)
    return render(request, "claims/claim_detail.html", {"claim": claim})


@public_page
def ledger(request):
    # Placeholder until the ledger's filters land (editor-desk issue).
    claims = Claim.objects.active().select_related("article").order_by("next_review_due", "code")[:100]
    return render(request, "claims/ledger.html", {"claims": claims})

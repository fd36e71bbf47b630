"""What conditional GETs of a claim compare (vigil.conditional): its page and
its API representation show the claim and its article, its reviews, the
correction-log entries about it and the dissent weighed."""

from claims.models import Claim
from vigil.conditional import CompiledRow, newest


def claim_stamps(claims, code):
    # Reviews and entries are append-only: the newest one says all a count would.
    return _stamps_query(claims, code).first()


def _stamps_query(claims, code):
    return (
        claims.filter(code=code)
        .annotate(
            reviews_changed=newest(Claim, "reviews__created_at"),
            entries_changed=newest(Claim, "correction_entries__created_at"),
            dissent_changed=newest(Claim, "dissent__weighed_at"),
        )
        .values(
            "pk", "updated_at", "article__updated_at", "reviews_changed", "entries_changed",
            "dissent_changed",
        )
    )


# The claim page's validators, compiled once per process (vigil.conditional.CompiledRow).
_page_stamps = CompiledRow(lambda code: _stamps_query(Claim.objects.all(), code))


def claim_page_stamps(request, code):
    return _page_stamps.first(code)


def claim_api_stamps(request, code):
    # The API shows claims of published articles only; anything else is its 404.
    return claim_stamps(Claim.objects.active(), code)

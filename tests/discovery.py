"""Helpers for the reading-and-discovery tests (feeds, search, API, structured data)."""

import datetime

from reviews.models import Review
from tests.factories import make_editor


def record_verdict_change(claim, *, to, on, editor=None, reasoning="A replication study moved it."):
    """Append a review moving `claim` to verdict `to` on day `on`, and update the
    claim as the review service does (the service lands with the review issue)."""
    review = Review(
        claim=claim,
        editor=editor or make_editor(),
        reviewed_on=on,
        verdict_before=claim.verdict,
        verdict_after=to,
        cadence_days=claim.cadence_days,
        next_review_due=on + datetime.timedelta(days=claim.cadence_days),
        reasoning=reasoning,
    )
    review.save()
    claim.verdict = to
    claim.last_reviewed_on = on
    claim.next_review_due = review.next_review_due
    claim.save()
    return review

"""Two editors saving a review of the same claim at the same moment."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection

from claims.models import Claim, Verdict
from dissent.models import Dissent
from reviews import services
from reviews.models import Review
from reviews.services import UNCHECKED, ReviewConflict, review_record
from tests.factories import make_claim, make_editor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(claim, editors, verdicts, *, expected_last_review_id):
    """Run review_record in two threads released together; return their outcomes."""
    barrier = threading.Barrier(len(editors))
    outcomes = [None] * len(editors)
    real_latest = services._latest_review

    def slow_latest(claim):
        # Widen the window between reading the latest review and writing ours:
        # without the row lock both threads would read "no review yet" here.
        latest = real_latest(claim)
        time.sleep(0.3)
        return latest

    def work(index):
        try:
            barrier.wait(timeout=5)
            outcomes[index] = review_record(
                claim=claim,
                editor=editors[index],
                verdict=verdicts[index],
                cadence_days=30 + index,
                reasoning=f"Reasoning {index}.",
                weighings={d.pk: True for d in Dissent.objects.filter(claim=claim)},
                expected_last_review_id=expected_last_review_id,
            )
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcomes[index] = error
        finally:
            connection.close()

    with mock.patch.object(services, "_latest_review", slow_latest):
        threads = [threading.Thread(target=work, args=(n,)) for n in range(len(editors))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return outcomes


def test_the_slower_of_two_editors_is_refused_clearly():
    claim = make_claim(verdict=Verdict.PARTIAL)
    Dissent.objects.create(claim=claim, argument="One objection.")
    editors = [make_editor(first_name="Ada"), make_editor(first_name="Ben")]
    outcomes = race(
        claim, editors, [Verdict.HOLDING, Verdict.NOT_HOLDING], expected_last_review_id=None
    )

    saved = [o for o in outcomes if isinstance(o, Review)]
    refused = [o for o in outcomes if isinstance(o, ReviewConflict)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    winner = saved[0]
    assert f"was reviewed by {winner.editor.first_name}" in str(refused[0])
    assert "your review was not saved" in str(refused[0])
    assert refused[0].latest.pk == winner.pk

    claim.refresh_from_db()
    assert Review.objects.filter(claim=claim).count() == 1
    assert claim.verdict == winner.verdict_after
    assert claim.cadence_days == winner.cadence_days
    assert claim.next_review_due == winner.next_review_due
    dissent = Dissent.objects.get(claim=claim)
    assert dissent.weighed_in_review_id == winner.pk


def test_unchecked_reviews_are_serialised_and_both_kept_consistently():
    claim = make_claim(verdict=Verdict.PARTIAL)
    editors = [make_editor(), make_editor()]
    outcomes = race(
        claim, editors, [Verdict.HOLDING, Verdict.NOT_HOLDING], expected_last_review_id=UNCHECKED
    )

    assert all(isinstance(o, Review) for o in outcomes), outcomes
    first, second = sorted(outcomes, key=lambda review: review.pk)
    # The second saw the first: its "before" is the first's "after".
    assert first.verdict_before == Verdict.PARTIAL
    assert second.verdict_before == first.verdict_after
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.verdict == second.verdict_after
    assert claim.cadence_days == second.cadence_days

"""Helpers for the reading-and-discovery tests (feeds, search, API, structured data)."""

import datetime

import time_machine
from django.utils import timezone

from reviews.services import review_record
from tests.factories import make_editor


def record_verdict_change(claim, *, to, on, editor=None, reasoning="A replication study moved it."):
    """Review `claim` on day `on`, moving it to verdict `to`, through the review
    service (which also dates the change in the article's correction log). On
    another day than the clock's, the review happens that morning."""

    def review():
        return review_record(
            claim=claim,
            editor=editor or make_editor(),
            verdict=to,
            cadence_days=claim.cadence_days,
            reasoning=reasoning,
        )

    if timezone.localdate() == on:
        return review()
    morning = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
    with time_machine.travel(morning, tick=False):
        return review()

"""Background work of the project's own infrastructure: delivering the outbox
(vigil.notifications) and retrying failed after-commit work (vigil.actions).
Tasks take IDs and call one function.

The outbox tasks keep the names they had when the outbox lived in the reviews
app, so messages already queued and a running beat's schedule still find them.
"""

import smtplib

from celery import shared_task
from django.conf import settings

from . import actions, notifications

# A mail server that is down or refuses: worth retrying later.
SEND_ERRORS = (smtplib.SMTPException, OSError)

DRAIN_SOFT_LIMIT = 240


def retry_countdown(retries):
    """Exponential backoff: base, 2×base, 4×base… capped at 30 minutes."""
    base = settings.VIGIL.get("SEND_RETRY_BASE_SECONDS", 30)
    return min(base * 2**retries, 30 * 60)


@shared_task(name="vigil.outbox_send", acks_late=True, soft_time_limit=120, time_limit=150)
def outbox_send(keys):
    """Deliver the rows just written. A failed row is not retried here: it is
    due again after its backoff and the drain takes it then."""
    sent, failed = notifications.outbox_send_keys(keys=keys)
    return {"sent": sent, "failed": failed}


@shared_task(name="reviews.outbox_deliver", acks_late=True, soft_time_limit=60, time_limit=90)
def outbox_deliver(message_id):
    """One row, by id (tasks queued before rows had keys)."""
    sent, failed = notifications.outbox_send_ids([message_id])
    return {"sent": sent, "failed": failed}


@shared_task(
    name="reviews.outbox_drain",
    acks_late=True,
    soft_time_limit=DRAIN_SOFT_LIMIT,
    time_limit=DRAIN_SOFT_LIMIT + 60,
)
def outbox_drain():
    # Start no delivery in the last 30 s: the run ends on its own, never cut off mid-send.
    sent, failed = notifications.outbox_drain(
        limit=settings.VIGIL["OUTBOX_DRAIN_LIMIT"], budget_seconds=DRAIN_SOFT_LIMIT - 30
    )
    return {"sent": sent, "failed": failed}


@shared_task(name="vigil.follow_ups_retry", acks_late=True, soft_time_limit=50, time_limit=60)
def follow_ups_retry():
    done, failed = actions.follow_ups_retry()
    return {"done": done, "failed": failed}

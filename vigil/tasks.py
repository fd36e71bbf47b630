"""Background work of the project's own infrastructure: delivering the outbox
(vigil.notifications) and retrying failed after-commit work (vigil.actions).
Tasks take IDs and call one function.

The tasks keep the names they had when the outbox lived in the reviews app,
so messages already queued and a running beat's schedule still find them.
"""

import smtplib

from celery import shared_task
from django.conf import settings

from . import actions, notifications

# A mail server that is down or refuses: worth retrying later.
SEND_ERRORS = (smtplib.SMTPException, OSError)


def retry_countdown(retries):
    """Exponential backoff: base, 2×base, 4×base… capped at 30 minutes."""
    base = settings.VIGIL.get("SEND_RETRY_BASE_SECONDS", 30)
    return min(base * 2**retries, 30 * 60)


@shared_task(
    name="reviews.outbox_deliver",
    bind=True,
    acks_late=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def outbox_deliver(self, message_id):
    try:
        return notifications.outbox_deliver_now(message_id=message_id)
    except SEND_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(name="reviews.outbox_drain", acks_late=True, soft_time_limit=240, time_limit=300)
def outbox_drain():
    sent, failed = notifications.outbox_drain()
    return {"sent": sent, "failed": failed}


@shared_task(name="vigil.follow_ups_retry", acks_late=True, soft_time_limit=50, time_limit=60)
def follow_ups_retry():
    done, failed = actions.follow_ups_retry()
    return {"done": done, "failed": failed}

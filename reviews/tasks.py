"""Background work of the reviews app. Tasks take IDs and call one function;
the rules live in reviews.reminders (the outbox's tasks are vigil.tasks)."""

import logging

from celery import shared_task

from vigil.freshness import content_changed
from vigil.tasks import SEND_ERRORS, retry_countdown

from . import reminders

logger = logging.getLogger(__name__)


@shared_task(name="reviews.reminders_run", acks_late=True, soft_time_limit=540, time_limit=600)
def reminders_run():
    """The hourly reminder job: ledger, fan out, then one digest task per editor."""
    from vigil.celery import app

    if app.conf.task_always_eager:
        # No broker (the embedded default): send inline, as the cron command does.
        return reminders.reminders_run()
    recipients = reminders.reminders_prepare()
    for recipient_id in recipients:
        digest_send.delay(recipient_id)
    return {"queued": len(recipients)}


@shared_task(name="reviews.reminders_recover", acks_late=True, soft_time_limit=240, time_limit=300)
def reminders_recover():
    """Every few minutes: digests whose sender died, sent once their lease is out."""
    recipients = reminders.reminders_recover()
    for recipient_id in recipients:
        digest_send.delay(recipient_id)
    return {"queued": len(recipients)}


@shared_task(
    name="reviews.digest_send",
    bind=True,
    acks_late=True,
    max_retries=8,
    soft_time_limit=120,
    time_limit=180,
)
def digest_send(self, recipient_id):
    """Idempotent: rows already sent are not owed any more, so a redelivered
    task sends nothing twice."""
    try:
        return reminders.digest_send(recipient_id=recipient_id)
    except SEND_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(
    name="reviews.countdowns_turn_over", acks_late=True, soft_time_limit=540, time_limit=600
)
def countdowns_turn_over():
    """Just after midnight in the publication's time zone: record the claims
    that became overdue and refresh every cached countdown."""
    created = reminders.reminders_ledger()
    content_changed()
    return created


# Followers' tasks (reviews/followers/tasks.py), found by Celery through this module.
from .followers.tasks import fan_out, sweep  # noqa: E402, F401

"""Telling editors that something arrived (new dissent, a new error report).

Callers use notify_editors() inside their transaction; the reminders issue
makes it durable (an outbox drained by the periodic job) so no request ever
waits on the broker.
"""

import logging

logger = logging.getLogger(__name__)


def notify_editors(*, event, object_id):
    # Placeholder until the Celery issue lands its outbox: log only.
    logger.info("editors to be notified: %s %s", event, object_id)

"""The Celery app. Broker and schedule come from Django settings (CELERY_*);
the beat schedule is CELERY_BEAT_SCHEDULE in vigil/settings.py.

    celery -A vigil worker --loglevel=info
    celery -A vigil beat --loglevel=info      (exactly one)
"""

import logging
import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")

logger = logging.getLogger(__name__)

app = Celery("vigil")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_quietly(task, *, inline, countdown=None, **kwargs):
    """Queue `task` with one quick broker connection attempt and no retries.
    Returns True if queued (or done). Never raises: callers run in a request
    (through transaction.on_commit) and a periodic job catches up on what was
    not queued. With no broker (the embedded default) `inline(**kwargs)` runs
    once instead of the task, without the task's retries (and at once: a
    `countdown` needs a worker)."""
    try:
        if app.conf.task_always_eager:
            inline(**kwargs)
            return True
        # kombu retries a refused connection for seconds by default, and waits
        # for a hung Redis forever: not here.
        with app.connection_for_write(
            connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            transport_options={
                "max_retries": 0,
                "interval_start": 0,
                "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT,
                "socket_timeout": settings.REDIS_TIMEOUT,
            },
        ) as connection:
            task.apply_async(
                kwargs=kwargs, retry=False, connection=connection, countdown=countdown
            )
        return True
    except Exception:
        logger.warning(
            "%s%r not queued; the periodic job will catch up", task.name, kwargs, exc_info=True
        )
        return False

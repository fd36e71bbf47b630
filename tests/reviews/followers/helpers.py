"""Running actions as the pipeline does in production, in a TestCase: after
commit, with tasks inline (even where REDIS_URL names a real broker)."""

import datetime
from contextlib import contextmanager

import time_machine
from django.test import TestCase
from django.utils import timezone

from tests.reviews.test_tasks import eager  # noqa: F401 - one home for running tasks inline

from vigil.notifications import outbox_drain


@contextmanager
def after_commit():
    """Inside a TestCase: on-commit work runs when the block ends, tasks inline."""
    with eager(), TestCase.captureOnCommitCallbacks(execute=True):
        yield


def committed(testcase, func, **kwargs):
    """Call an action and run its after-commit work (hooks, fan-out) inline."""
    with after_commit():
        return func(**kwargs)


def drain_later(minutes=6):
    """The drain as beat runs it, once the digest window has closed."""
    with eager(), time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False):
        return outbox_drain()

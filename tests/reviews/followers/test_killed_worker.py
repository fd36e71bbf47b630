"""Against a real Redis and real Celery worker processes: a worker killed in
the middle of sending a verdict change to 200 followers leaves every follower
with exactly one message once another worker has recovered its work."""

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from claims.models import Verdict
from reviews.followers.models import Subscription
from reviews.services import review_record
from tests.factories import make_claim, make_editor
from tests.reviews.test_tasks import wait_until
from vigil import tasks as vigil_tasks
from vigil.celery import app
from vigil.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[3]
FOLLOWERS = 200
LEASE_SECONDS = 3


def start_worker(log, **env):
    db = settings.DATABASES["default"]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reviews.followers.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "VIGIL_TEST_MAIL_LOG": str(log),
        "VIGIL_FOLLOW_DIGEST_SECONDS": "0",
        "VIGIL_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vigil", "worker", "--pool=solo", "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def sent(log):
    if not log.exists():
        return []
    return [line.split("\t") for line in log.read_text().splitlines()]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_to_200_followers_leaves_each_exactly_one_message(tmp_path):
    log = tmp_path / "mail.log"
    editor = make_editor(username="ada")
    claim = make_claim(verdict=Verdict.HOLDING)
    Subscription.objects.bulk_create(
        Subscription(email=f"reader{n:03d}@example.org", kind="claim", key=claim.code, confirmed_at=timezone.now())
        for n in range(FOLLOWERS)
    )
    app.control.purge()
    first = start_worker(log, VIGIL_CRASH_AFTER="100")
    second = None
    try:
        # The review's after-commit hook queues the fan-out; the worker writes the rows.
        review_record(
            claim=claim, editor=editor, verdict=Verdict.NOT_HOLDING, cadence_days=60,
            reasoning="The larger survey does not bear it out.",
        )
        assert wait_until(lambda: OutboxMessage.objects.filter(kind="follower_change").count() == FOLLOWERS, timeout=60)
        vigil_tasks.outbox_drain.delay()
        assert first.wait(timeout=60) == 17, first.stderr.read().decode()[-2000:]
        assert len(sent(log)) == 100
        leased = OutboxMessage.objects.filter(kind="follower_change", sent_at__isnull=True, claimed_at__isnull=False)
        assert leased.count() == 1  # the row being sent when the worker died

        second = start_worker(log)
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
        vigil_tasks.outbox_drain.delay()
        vigil_tasks.outbox_drain.delay()  # beat's next tick, or a second beat
        assert wait_until(lambda: len(sent(log)) >= FOLLOWERS, timeout=60)
        time.sleep(1)  # a duplicate would arrive by now
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        connection.close()
    per_follower = Counter(to for to, _ in sent(log))
    assert len(per_follower) == FOLLOWERS
    assert set(per_follower.values()) == {1}
    assert len({message_id for _, message_id in sent(log)}) == FOLLOWERS  # one stable id each
    assert not OutboxMessage.objects.filter(kind="follower_change", sent_at__isnull=True).exists()

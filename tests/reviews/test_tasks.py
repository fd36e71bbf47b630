"""The background work of reviews: beat schedule, tasks on a real worker,
the outbox when the broker is down, and a sender killed mid-send."""

import datetime
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from corrections.notices import ERROR_REPORT_RECEIVED
from dissent.models import Dissent
from dissent.notices import DISSENT_RECEIVED
from reviews import reminders, tasks
from reviews.models import Reminder, ReminderDelivery
from tests.factories import make_claim, make_editor
from vigil import notifications
from vigil import tasks as vigil_tasks
from vigil.celery import app
from vigil.freshness import content_version
from vigil.models import OutboxMessage

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)
DEAD_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there
ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@contextmanager
def eager():
    """Run tasks inline as the embedded default does, even where REDIS_URL is set."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@contextmanager
def broker_at(url):
    before = app.conf.broker_url
    app.conf.broker_url = url
    try:
        yield
    finally:
        app.conf.broker_url = before


def queued_messages():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery")


def make_dissent(claim):
    return Dissent.objects.create(claim=claim, argument="The survey was of 40 people, not 4,000.")


class BeatScheduleTests(TestCase):
    def test_beat_schedule_names_the_reminder_job_hourly(self):
        entry = settings.CELERY_BEAT_SCHEDULE["reminders-hourly"]
        self.assertEqual(entry["task"], "reviews.reminders_run")
        self.assertIn("reviews.reminders_run", app.tasks)
        self.assertEqual(entry["schedule"].minute, {5})

    def test_countdowns_turn_over_at_midnight_in_the_publications_time_zone(self):
        entry = settings.CELERY_BEAT_SCHEDULE["countdowns-midnight"]
        self.assertEqual((entry["schedule"].hour, entry["schedule"].minute), ({0}, {0}))
        self.assertEqual(app.conf.timezone, settings.TIME_ZONE)

    def test_outbox_is_drained_every_minute(self):
        entry = settings.CELERY_BEAT_SCHEDULE["outbox-drain"]
        self.assertEqual((entry["task"], entry["schedule"]), ("reviews.outbox_drain", 60.0))

    def test_tasks_have_time_limits_and_late_acknowledgement(self):
        for name in ["reviews.reminders_run", "reviews.digest_send", "reviews.outbox_deliver"]:
            task = app.tasks[name]
            self.assertTrue(task.acks_late, name)
            self.assertTrue(task.time_limit and task.soft_time_limit, name)


@time_machine.travel(NOW, tick=False)
class CountdownTurnOverTests(TestCase):
    def test_midnight_job_records_newly_overdue_claims_and_refreshes_countdowns(self):
        claim = make_claim(next_review_due=TODAY)
        version = content_version()
        with time_machine.travel(datetime.datetime(2026, 3, 3, 0, 0, 30, tzinfo=datetime.UTC)):
            tasks.countdowns_turn_over()
        self.assertGreater(content_version(), version)
        self.assertTrue(claim.reminders.filter(stage=Reminder.Stage.OVERDUE).exists())


class OutboxTests(TestCase):
    def setUp(self):
        self.editor = make_editor(username="ada")
        self.claim = make_claim(next_review_due=TODAY + datetime.timedelta(days=40))

    def test_notice_is_written_with_the_dissent_and_sent_after_commit(self):
        with eager(), self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                dissent = make_dissent(self.claim)
                notifications.notify_editors(
                    event=DISSENT_RECEIVED, object_id=dissent.pk
                )
        (message,) = mail.outbox
        self.assertEqual(message.to, ["ada@example.org"])
        self.assertEqual(message.subject, f"[Vigil] New dissent on {self.claim.code}")
        self.assertIn("40 people", message.body)
        self.assertIsNotNone(OutboxMessage.objects.get().sent_at)

    def test_rolled_back_dissent_leaves_no_notice(self):
        with eager(), self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    dissent = make_dissent(self.claim)
                    notifications.notify_editors(event="dissent_received", object_id=dissent.pk)
                    raise RuntimeError("the form failed later")
            except RuntimeError:
                pass
        self.assertFalse(OutboxMessage.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(MAILERS={"default": {"BACKEND": "tests.reviews.mail_backends.FailingBackend"}})
    def test_mail_server_down_keeps_the_notice_for_the_drain(self):
        with eager(), self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                dissent = make_dissent(self.claim)
                notifications.notify_editors(event="dissent_received", object_id=dissent.pk)
        notice = OutboxMessage.objects.get()
        self.assertIsNone(notice.sent_at)
        self.assertIn("mail server is down", notice.last_error)
        self.assertEqual(notifications.outbox_drain(), (0, 0))  # backing off
        later = timezone.now() + datetime.timedelta(minutes=5)
        with (
            override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}),
            time_machine.travel(later, tick=False),
        ):
            self.assertEqual(notifications.outbox_drain(), (1, 0))
            self.assertEqual(notifications.outbox_drain(), (0, 0))
        self.assertEqual(len(mail.outbox), 1)

    def test_newline_in_a_title_does_not_jam_the_outbox(self):
        from corrections.models import ErrorReport

        self.claim.article.title = "Two\nlines"
        self.claim.article.save()
        report = ErrorReport.objects.create(article=self.claim.article, what_is_wrong="Typo.")
        notifications.notify_editors(event="error_report_received", object_id=report.pk)
        self.assertEqual(notifications.outbox_drain(), (1, 0))
        self.assertEqual(mail.outbox[0].subject, "[Vigil] Error reported in “Two lines”")

    def test_error_report_notice_names_the_article(self):
        from corrections.models import ErrorReport

        report = ErrorReport.objects.create(article=self.claim.article, what_is_wrong="Wrong year.")
        notifications.notify_editors(event=ERROR_REPORT_RECEIVED, object_id=report.pk)
        notifications.outbox_drain()
        self.assertIn(self.claim.article.title, mail.outbox[0].subject)


# --- Against a real Redis and a real worker ---------------------------------


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the Redis in REDIS_URL."""
    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as running:
        yield running
    connection.close()


@pytest.fixture
def editors(transactional_db):
    return [make_editor(username="ada"), make_editor(username="bo")]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
class TestOnRealWorker:
    def test_reminder_job_run_twice_sends_one_digest_per_editor(self, editors, worker, mailoutbox):
        with time_machine.travel(NOW, tick=True):
            make_claim(next_review_due=TODAY + datetime.timedelta(days=2))
            make_claim(next_review_due=TODAY - datetime.timedelta(days=1))
            tasks.reminders_run.delay()
            tasks.reminders_run.delay()
            assert wait_until(lambda: len(mailoutbox) >= 2)
            time.sleep(1.5)  # a duplicate would arrive by now
        assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.org", "bo@example.org"]
        assert not Reminder.objects.filter(sent_at__isnull=True).exists()

    def test_failing_smtp_is_retried_with_backoff_and_sent_once(
        self, editors, worker, mailoutbox, settings
    ):
        from tests.reviews.mail_backends import FlakyBackend

        settings.MAILERS = {"default": {"BACKEND": "tests.reviews.mail_backends.FlakyBackend"}}
        settings.VIGIL = {**settings.VIGIL, "SEND_RETRY_BASE_SECONDS": 1}
        FlakyBackend.failures_left = 2
        with time_machine.travel(NOW, tick=True):
            make_claim(
                next_review_due=TODAY + datetime.timedelta(days=2), assigned_editor=editors[0]
            )
            tasks.reminders_run.delay()
            assert wait_until(lambda: ReminderDelivery.objects.filter(attempts__gte=1).exists())
            assert Reminder.objects.get().sent_at is None  # failed: not marked sent
            assert wait_until(lambda: len(mailoutbox) >= 1)
            time.sleep(1)
        assert [m.to for m in mailoutbox] == [["ada@example.org"]]
        assert ReminderDelivery.objects.get().attempts == 3
        assert Reminder.objects.get().sent_at is not None

    def test_notice_goes_through_the_worker_after_commit(self, editors, worker, mailoutbox):
        claim = make_claim(next_review_due=TODAY + datetime.timedelta(days=40))
        with transaction.atomic():
            dissent = make_dissent(claim)
            notifications.notify_editors(event="dissent_received", object_id=dissent.pk)
        assert wait_until(lambda: len(mailoutbox) == 2)
        # One row per editor, each sent.
        assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
            "ada@example.org", "bo@example.org"
        ]
        assert wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists())

    def test_with_redis_down_a_dissent_is_saved_quickly_and_announced_when_it_returns(
        self, editors, mailoutbox
    ):
        claim = make_claim(next_review_due=TODAY + datetime.timedelta(days=40))
        app.control.purge()
        with broker_at(DEAD_BROKER):
            started = time.monotonic()
            with transaction.atomic():
                dissent = make_dissent(claim)
                notifications.notify_editors(event="dissent_received", object_id=dissent.pk)
            elapsed = time.monotonic() - started
        assert elapsed < 1.5, f"saving a dissent waited {elapsed:.1f}s on a dead broker"
        assert queued_messages() == 0  # nothing reached the real Redis: it was "down"
        assert Dissent.objects.filter(pk=dissent.pk).exists()
        assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2  # one per editor
        assert mailoutbox == []
        # Redis is back: the periodic drain delivers it, once.
        app.control.purge()
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            vigil_tasks.outbox_drain.delay()
            vigil_tasks.outbox_drain.delay()
            assert wait_until(lambda: len(mailoutbox) == 2)
            time.sleep(1)
        connection.close()
        assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.org", "bo@example.org"]
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


# --- A sender killed in the middle of a send --------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sender_killed_mid_send_leaves_no_claim_unannounced_and_none_twice(tmp_path):
    """A separate process runs the job with a mail backend that kills it during
    the send. Its leased rows are neither lost nor sent twice: after the lease
    expires the next run sends each claim once."""
    ada = make_editor(username="ada")
    bo = make_editor(username="bo")
    due = timezone.localdate() + datetime.timedelta(days=2)
    claims = [make_claim(next_review_due=due) for _ in range(3)]
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reviews.crash_settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    crashed = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "send_reminders"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert crashed.returncode == 17, crashed.stderr.decode()[-2000:]
    leased = ReminderDelivery.objects.filter(claimed_at__isnull=False, sent_at__isnull=True)
    assert set(leased.values_list("recipient__username", flat=True)) == {"ada"}
    assert not Reminder.objects.filter(sent_at__isnull=False).exists()

    reminders.reminders_run()  # too soon: the lease still holds
    assert [m.to for m in mail.outbox] == [[bo.email]]  # Ada's rows are the dead sender's

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        reminders.reminders_run()
        reminders.reminders_run()
    announced = {}
    for message in mail.outbox:
        for claim in claims:
            if claim.code in message.body:
                announced[(message.to[0], claim.code)] = (
                    announced.get((message.to[0], claim.code), 0) + 1
                )
    assert announced == {(user.email, claim.code): 1 for user in (ada, bo) for claim in claims}
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_send_each_editor_one_digest(settings, mailoutbox):
    """Two beat processes by mistake: both run the job at the same moment; the
    conditional UPDATE gives each row to one of them only."""
    import threading

    settings.MAILERS = {"default": {"BACKEND": "tests.reviews.mail_backends.SlowLocmemBackend"}}
    make_editor(username="ada")
    make_editor(username="bo")
    for days in (-3, 1, 2):
        make_claim(next_review_due=timezone.localdate() + datetime.timedelta(days=days))
    barrier = threading.Barrier(2)
    errors = []

    def job():
        try:
            barrier.wait()
            reminders.reminders_run()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.org", "bo@example.org"]
    assert all(m.body.count("/review/") == 3 for m in mailoutbox)

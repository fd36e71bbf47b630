"""The outbox (vigil/notifications.py): one row per recipient and message,
each with its own lease and idempotency key."""

import datetime

import time_machine
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from dissent.models import Dissent
from reviews import reminders
from reviews.models import Reminder, ReminderDelivery
from tests.factories import make_claim, make_editor
from vigil import notifications
from vigil.models import OutboxMessage

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
FAILS_AFTER_3 = {"default": {"BACKEND": "tests.vigil.mail_backends.FailsAfterBackend"}}
CUT_OFF = {"default": {"BACKEND": "tests.vigil.mail_backends.CutOffBackend"}}


@time_machine.travel(NOW, tick=False)
class OutboxRowsTests(TestCase):
    def setUp(self):
        self.editors = [make_editor(username=f"ed{n}") for n in range(6)]
        self.claim = make_claim()
        self.dissent = Dissent.objects.create(claim=self.claim, argument="Forty people, not 4,000.")

    def notify(self):
        return notifications.notify_editors(event="dissent_received", object_id=self.dissent.pk)

    def test_a_notice_to_six_editors_is_six_rows_and_writing_it_again_adds_none(self):
        self.notify()
        self.notify()
        rows = OutboxMessage.objects.all()
        self.assertEqual(rows.count(), 6)
        self.assertEqual(len({row.idempotency_key for row in rows}), 6)

    def test_smtp_failing_after_three_sends_ends_with_exactly_six_messages(self):
        from tests.vigil.mail_backends import FailsAfterBackend

        self.notify()
        FailsAfterBackend.allowed = 3
        with override_settings(MAILERS=FAILS_AFTER_3):
            self.assertEqual(notifications.outbox_drain(), (3, 3))
        self.assertEqual(len(mail.outbox), 3)
        failed = OutboxMessage.objects.filter(sent_at__isnull=True)
        self.assertEqual(failed.count(), 3)
        self.assertTrue(all(row.due_at > NOW and "connection lost" in row.last_error for row in failed))
        with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
            self.assertEqual(notifications.outbox_drain(), (3, 0))
            self.assertEqual(notifications.outbox_drain(), (0, 0))
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted(e.email for e in self.editors))

    def test_each_lease_is_stamped_when_it_is_taken(self):
        self.notify()
        later = NOW + datetime.timedelta(minutes=3)
        first, *rest = OutboxMessage.objects.order_by("pk")
        notifications.outbox_deliver_now(message_id=first.pk)
        with time_machine.travel(later, tick=False):
            notifications.outbox_deliver_now(message_id=rest[0].pk)
        first.refresh_from_db()
        rest[0].refresh_from_db()
        self.assertEqual((first.claimed_at, rest[0].claimed_at), (NOW, later))

    def test_the_drain_stops_cleanly_when_cut_off_and_sends_nothing_twice(self):
        from tests.vigil.mail_backends import CutOffBackend

        self.notify()
        CutOffBackend.calls = 0
        with override_settings(MAILERS=CUT_OFF):
            self.assertEqual(notifications.outbox_drain(), (1, 0))  # stopped at the cut-off
            self.assertEqual(len(mail.outbox), 1)
            # The cut-off row keeps its lease (was it sent? unknown); the rest go next run.
            self.assertEqual(notifications.outbox_drain(), (4, 0))
            self.assertEqual(notifications.outbox_drain(), (0, 0))
            with time_machine.travel(NOW + datetime.timedelta(minutes=3), tick=False):
                self.assertEqual(notifications.outbox_drain(), (1, 0))
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted(e.email for e in self.editors))

    def test_the_drain_starts_nothing_past_its_budget(self):
        self.notify()
        self.assertEqual(notifications.outbox_drain(budget_seconds=1e-9), (0, 0))
        self.assertEqual(OutboxMessage.objects.filter(attempts=0).count(), 6)

    def test_a_dead_senders_row_is_taken_once_its_short_lease_is_out(self):
        self.notify()
        row = OutboxMessage.objects.first()
        OutboxMessage.objects.filter(pk=row.pk).update(claimed_at=NOW, claim_token="dead")
        self.assertEqual(notifications.outbox_drain(), (5, 0))
        with time_machine.travel(NOW + datetime.timedelta(minutes=2, seconds=1), tick=False):
            self.assertEqual(notifications.outbox_drain(), (1, 0))

    def test_every_message_carries_its_rows_stable_message_id(self):
        self.notify()
        notifications.outbox_drain()
        keys = OutboxMessage.objects.values_list("recipient", "idempotency_key")
        expected = {to: notifications.message_id(key) for to, key in keys}
        self.assertEqual({m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}, expected)


@time_machine.travel(NOW, tick=False)
class ReminderDeliveryTests(TestCase):
    def setUp(self):
        self.ada = make_editor(username="ada")
        self.bo = make_editor(username="bo")
        make_claim(next_review_due=timezone.localdate() + datetime.timedelta(days=2))

    def test_a_reminders_sent_at_is_derived_from_its_deliveries(self):
        reminders.reminders_prepare()
        reminder = Reminder.objects.get()
        ada_row, bo_row = ReminderDelivery.objects.order_by("recipient__username")
        # Two digests finished together, each marking its own row only.
        ReminderDelivery.objects.filter(pk=ada_row.pk).update(sent_at=NOW)
        self.assertEqual(reminders.reminders_settle(), 0)
        ReminderDelivery.objects.filter(pk=bo_row.pk).update(sent_at=NOW + datetime.timedelta(seconds=5))
        self.assertEqual(reminders.reminders_settle(), 1)
        reminder.refresh_from_db()
        self.assertEqual(reminder.sent_at, NOW + datetime.timedelta(seconds=5))

    def test_the_cron_path_stamps_each_lease_when_taken_not_at_the_runs_start(self):
        reminders.reminders_prepare()
        run_started = NOW - datetime.timedelta(minutes=10)
        reminders.digest_send(recipient_id=self.ada.pk, now=run_started)
        self.assertEqual(ReminderDelivery.objects.get(recipient=self.ada).claimed_at, NOW)

    def test_a_dead_senders_digest_is_recovered_within_minutes(self):
        reminders.reminders_prepare()
        ReminderDelivery.objects.filter(recipient=self.ada).update(claimed_at=NOW, claim_token="dead")
        self.assertEqual(reminders.reminders_recover(), [])
        with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
            self.assertEqual(reminders.reminders_recover(), [self.ada.pk])
            self.assertEqual(reminders.digest_send(recipient_id=self.ada.pk), 1)
        (message,) = mail.outbox
        self.assertTrue(message.extra_headers["Message-ID"].startswith("<"))

import datetime

import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings

from reviews import reminders
from reviews.models import EditorPreference, Reminder, ReminderDelivery
from tests.factories import make_admin, make_article, make_claim, make_editor, make_user

# 09:00 in London on 2 March 2026 (GMT, so also 09:00 UTC).
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def digests_to(address):
    return [m for m in mail.outbox if m.to == [address]]


@time_machine.travel(NOW, tick=False)
class ReminderLedgerTests(TestCase):
    def test_due_soon_and_overdue_claims_enter_the_ledger_once_per_stage(self):
        soon = make_claim(next_review_due=days(3))
        late = make_claim(next_review_due=days(-2))
        make_claim(next_review_due=days(30))  # not due yet
        make_claim(
            next_review_due=days(-2), article=make_article(status="draft", published_on=None)
        )
        reminders.reminders_ledger()
        reminders.reminders_ledger()
        self.assertEqual(
            set(Reminder.objects.values_list("claim_id", "due_on", "stage")),
            {(soon.pk, days(3), "due_soon"), (late.pk, days(-2), "overdue")},
        )

    def test_window_edge_is_inclusive(self):
        edge = make_claim(next_review_due=days(7))
        make_claim(next_review_due=days(8))
        reminders.reminders_ledger()
        self.assertEqual(list(Reminder.objects.values_list("claim_id", flat=True)), [edge.pk])

    @override_settings(VIGIL={**settings.VIGIL, "DUE_SOON_DAYS": 14})
    def test_window_comes_from_settings(self):
        make_claim(next_review_due=days(10))
        reminders.reminders_ledger()
        self.assertEqual(Reminder.objects.count(), 1)

    def test_scan_reads_in_chunks(self):
        for n in range(5):
            make_claim(next_review_due=days(n))
        reminders.reminders_ledger(chunk_size=2)
        self.assertEqual(Reminder.objects.count(), 5)


@time_machine.travel(NOW, tick=False)
class ReminderDigestTests(TestCase):
    def setUp(self):
        self.ada = make_editor(username="ada")
        self.bo = make_editor(username="bo")
        self.cy = make_admin(username="cy")
        make_user(username="reader")  # not an editor: never reminded

    def test_running_twice_sends_one_digest_per_editor(self):
        make_claim(next_review_due=days(2))
        make_claim(next_review_due=days(-1))
        reminders.reminders_run()
        reminders.reminders_run()
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["ada@example.org", "bo@example.org", "cy@example.org"],
        )
        self.assertFalse(Reminder.objects.filter(sent_at__isnull=True).exists())

    def test_assigned_claim_goes_to_its_editor_only(self):
        claim = make_claim(next_review_due=days(1), assigned_editor=self.ada)
        reminders.reminders_run()
        self.assertEqual([m.to for m in mail.outbox], [["ada@example.org"]])
        self.assertIn(claim.code, mail.outbox[0].body)

    def test_digest_has_text_and_html_with_review_links(self):
        soon = make_claim(
            next_review_due=days(2), assigned_editor=self.ada, statement="Soon & <b>due</b>"
        )
        late = make_claim(next_review_due=days(-3), assigned_editor=self.ada)
        reminders.reminders_run()
        (message,) = mail.outbox
        self.assertEqual(message.subject, "[Vigil] 2 claims to review")
        self.assertIn(f"http://127.0.0.1:8000/desk/claims/{soon.code}/review/", message.body)
        self.assertIn("overdue 3d", message.body)
        self.assertIn("next +2d", message.body)
        self.assertLess(message.body.index("OVERDUE"), message.body.index("DUE SOON"))
        html, mimetype = message.alternatives[0]
        self.assertEqual(mimetype, "text/html")
        self.assertIn(f'href="http://127.0.0.1:8000/desk/claims/{late.code}/review/"', html)
        self.assertIn("Soon &amp; &lt;b&gt;due&lt;/b&gt;", html)

    def test_each_stage_is_announced_once(self):
        claim = make_claim(next_review_due=days(3), assigned_editor=self.ada)
        reminders.reminders_run()
        with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
            reminders.reminders_run()  # still due soon: nothing new
        with time_machine.travel(NOW + datetime.timedelta(days=4), tick=False):
            reminders.reminders_run()  # now overdue: announced again, once
            reminders.reminders_run()
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("next +3d", mail.outbox[0].body)
        self.assertIn("overdue 1d", mail.outbox[1].body)
        self.assertEqual(claim.reminders.count(), 2)

    def test_reviewed_claim_is_not_announced_for_its_old_due_date(self):
        claim = make_claim(next_review_due=days(3), assigned_editor=self.ada)
        EditorPreference.objects.create(user=self.ada, digest_hour=18)
        reminders.reminders_run()  # owed, but not Ada's hour
        claim.next_review_due = days(60)
        claim.save()
        with time_machine.travel(NOW.replace(hour=18), tick=False):
            reminders.reminders_run()
        self.assertEqual(mail.outbox, [])

    def test_paused_editor_gets_nothing_and_their_claims_go_to_the_others(self):
        EditorPreference.objects.create(user=self.ada, reminders_paused=True)
        make_claim(next_review_due=days(1), assigned_editor=self.ada)
        reminders.reminders_run()
        self.assertEqual(digests_to("ada@example.org"), [])
        self.assertEqual(len(digests_to("bo@example.org")), 1)
        self.assertEqual(len(digests_to("cy@example.org")), 1)

    def test_digest_waits_for_the_editors_hour(self):
        EditorPreference.objects.create(user=self.ada, digest_hour=14)
        make_claim(next_review_due=days(1), assigned_editor=self.ada)
        reminders.reminders_run()
        self.assertEqual(mail.outbox, [])
        with time_machine.travel(NOW.replace(hour=14, minute=5), tick=False):
            reminders.reminders_run()
        self.assertEqual(len(digests_to("ada@example.org")), 1)

    @override_settings(MAILERS={"default": {"BACKEND": "tests.reviews.mail_backends.FailingBackend"}})
    def test_failed_send_leaves_reminders_unsent_and_the_next_run_retries(self):
        make_claim(next_review_due=days(1), assigned_editor=self.ada)
        self.assertEqual(reminders.reminders_run(), {"sent": 0, "failed": 1})
        reminder = Reminder.objects.get()
        self.assertIsNone(reminder.sent_at)
        delivery = ReminderDelivery.objects.get()
        self.assertEqual(
            (delivery.claimed_at, delivery.claim_token, delivery.attempts), (None, "", 1)
        )
        with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
            self.assertEqual(reminders.reminders_run(), {"sent": 1, "failed": 0})
        self.assertEqual(len(mail.outbox), 1)
        reminder.refresh_from_db()
        self.assertIsNotNone(reminder.sent_at)

    def test_a_second_sender_finds_the_rows_taken(self):
        make_claim(next_review_due=days(1), assigned_editor=self.ada)
        reminders.reminders_prepare()
        # Another process leased the rows and is sending right now.
        ReminderDelivery.objects.update(claimed_at=NOW, claim_token="other-sender")
        self.assertEqual(reminders.digest_send(recipient_id=self.ada.pk), 0)
        self.assertEqual(mail.outbox, [])

    def test_a_dead_senders_lease_expires_and_the_rows_are_sent_once(self):
        make_claim(next_review_due=days(1), assigned_editor=self.ada)
        reminders.reminders_prepare()
        ReminderDelivery.objects.update(claimed_at=NOW, claim_token="dead-sender")
        reminders.reminders_run()
        self.assertEqual(mail.outbox, [])  # the lease still holds
        with time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False):
            reminders.reminders_run()
            reminders.reminders_run()
        self.assertEqual(len(mail.outbox), 1)

    def test_queries_do_not_grow_with_the_claims_due(self):
        def run_with(n):
            Reminder.objects.all().delete()
            for _ in range(n):
                make_claim(next_review_due=days(1))
            mail.outbox = []
            with self.captureOnCommitCallbacks():
                from django.db import connection
                from django.test.utils import CaptureQueriesContext

                with CaptureQueriesContext(connection) as ctx:
                    reminders.reminders_run()
            return len(ctx.captured_queries)

        few = run_with(3)
        many = run_with(30)
        self.assertEqual(few, many)
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(mail.outbox[0].body.count("/review/"), 33)

    def test_command_runs_the_same_job(self):
        make_claim(next_review_due=days(1))
        call_command("send_reminders", stdout=open("/dev/null", "w"))
        call_command("send_reminders", stdout=open("/dev/null", "w"))
        self.assertEqual(len(mail.outbox), 3)


@time_machine.travel(NOW, tick=False)
class SendRemindersCommandTests(TestCase):
    @override_settings(MAILERS={"default": {"BACKEND": "tests.reviews.mail_backends.FailingBackend"}})
    def test_failed_sends_make_the_command_fail_for_cron(self):
        from django.core.management.base import CommandError

        make_editor(username="ada")
        make_claim(next_review_due=days(1))
        with self.assertRaisesMessage(CommandError, "Digests sent: 0, failed: 1."):
            call_command("send_reminders")
        self.assertFalse(Reminder.objects.filter(sent_at__isnull=False).exists())

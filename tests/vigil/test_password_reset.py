"""The password reset (vigil.people.PasswordResetRequestForm), as an attacker
and as the person who forgot: the request writes one outbox row and answers;
the mail is written when the row is delivered. An address with an account and
one without get the same answer after the same work; a mail server that is
down or slow never reaches the request, and the reset is sent once it is back.
"""

import contextlib
import datetime
import re
import socket
from unittest import mock

import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from tests.factories import make_editor
from tests.ports import free_port
from vigil.celery import app as celery_app
from vigil.models import OutboxMessage
from vigil.notifications import outbox_drain
from vigil.people import NO_ACCOUNT, PASSWORD_RESET

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "a much longer passphrase"
RESET = "/accounts/password_reset/"


def reset_link(message):
    return re.search(r"http://desk\.example(/accounts/reset/\S+)", message.body).group(1)



def smtp_at(port, timeout=10):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": timeout},
        }
    }


@contextlib.contextmanager
def tasks_inline(inline):
    """Tasks run inline (no broker, the embedded default) or are queued (a
    broker, the production shape), whichever REDIS_URL says for the suite."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = inline
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager


@override_settings(SITE_URL="http://desk.example")
class PasswordResetQueuedTests(TestCase):
    def setUp(self):
        self.editor = make_editor(username="edith")  # edith@example.org

    def ask(self, email, *, execute=False):
        """Ask for a reset; with `execute`, the after-commit hand-over runs too
        (inline here, as without a broker)."""
        with self.captureOnCommitCallbacks(execute=execute):
            return self.client.post(RESET, {"email": email})

    def choose_password(self, link):
        form_page = self.client.get(link, follow=True)
        return form_page, self.client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            follow=True,
        )

    def test_the_request_writes_a_row_and_sends_nothing_the_row_sends_the_mail(self):
        response = self.ask("edith@example.org")
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(mail.outbox, [])  # nothing was sent inside the request
        row = OutboxMessage.objects.get(kind=PASSWORD_RESET)
        self.assertEqual((row.object_id, row.recipient, row.sent_at), (str(self.editor.pk), "edith@example.org", None))

        self.assertEqual(outbox_drain(), (1, 0))
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["edith@example.org"])
        self.assertIn("Reset your Vigil desk password", message.subject)
        self.assertIn('account "edith"', message.body)
        form_page, done = self.choose_password(reset_link(message))
        self.assertContains(form_page, "Choose a new password")
        self.assertContains(done, "Your password is set")
        self.assertTrue(self.client.login(username="edith", password=NEW_PASSWORD))
        self.assertEqual(outbox_drain(), (0, 0))  # delivered once
        self.assertEqual(len(mail.outbox), 1)

    def test_the_link_works_once(self):
        self.ask("edith@example.org")
        outbox_drain()
        link = reset_link(mail.outbox[0])
        self.choose_password(link)
        self.client.logout()
        again = self.client.get(link, follow=True)
        self.assertContains(again, "It was used already or has expired")
        self.assertNotContains(again, 'name="new_password1"')

    def test_an_unknown_address_gets_the_same_answer_after_the_same_work_and_no_mail(self):
        # Django's account lookup and the one outbox row, in a savepoint.
        with self.assertNumQueries(4):
            known = self.ask("edith@example.org")
        with self.assertNumQueries(4):
            unknown = self.ask("nobody@example.org")
        self.assertEqual((unknown.status_code, unknown["Location"]), (known.status_code, known["Location"]))
        self.assertEqual(
            self.client.get(unknown["Location"]).content, self.client.get(known["Location"]).content
        )
        rows = OutboxMessage.objects.filter(kind=PASSWORD_RESET).order_by("pk")
        self.assertEqual([(row.object_id, row.recipient) for row in rows], [
            (str(self.editor.pk), "edith@example.org"),
            (NO_ACCOUNT, NO_ACCOUNT),  # the typed address is not kept
        ])
        self.assertEqual(outbox_drain(), (1, 0))
        self.assertEqual([message.to for message in mail.outbox], [["edith@example.org"]])
        nothing = rows.get(object_id=NO_ACCOUNT)
        self.assertIsNotNone(nothing.sent_at)  # settled: never tried again
        self.assertEqual(nothing.last_error, "nothing to send")

    def test_an_address_typed_differently_gets_the_mail_at_the_stored_address(self):
        self.ask("EDITH@Example.ORG")
        outbox_drain()
        self.assertEqual(mail.outbox[0].to, ["edith@example.org"])

    def test_accounts_django_would_not_reset_get_no_mail(self):
        make_editor(username="gone", is_active=False)
        invited = make_editor(username="invited")
        invited.set_unusable_password()
        invited.save()
        for address in ("gone@example.org", "invited@example.org"):
            with self.subTest(address):
                self.assertRedirects(self.ask(address), reverse("password_reset_done"))
        self.assertEqual(set(OutboxMessage.objects.values_list("object_id", flat=True)), {NO_ACCOUNT})
        outbox_drain()
        self.assertEqual(mail.outbox, [])

    def test_an_account_changed_before_delivery_gets_no_mail(self):
        """The rule holds when the row is delivered: a person made inactive, or
        whose address changed, after asking is not sent a link."""
        self.ask("edith@example.org")
        User.objects.filter(pk=self.editor.pk).update(email="edith@elsewhere.example")
        outbox_drain()
        self.assertEqual(mail.outbox, [])

    def test_asking_twice_sends_twice_and_both_links_work_until_one_is_used(self):
        self.ask("edith@example.org")
        self.ask("edith@example.org")
        self.assertEqual(outbox_drain(), (2, 0))
        first, second = (reset_link(message) for message in mail.outbox)
        self.choose_password(second)
        self.client.logout()
        self.assertContains(self.client.get(first, follow=True), "It was used already or has expired")

    @override_settings(PASSWORD_RESET_TIMEOUT=3 * 24 * 3600)
    def test_the_link_expires_counted_from_the_request_as_django_s_does(self):
        """Delivered two days late, the link still expires three days after the
        request, not three days after the mail went out."""
        with time_machine.travel(FROZEN, tick=False):
            self.ask("edith@example.org")
        with time_machine.travel(FROZEN + datetime.timedelta(days=2), tick=False):
            self.assertEqual(outbox_drain(), (1, 0))
        link = reset_link(mail.outbox[0])
        with time_machine.travel(FROZEN + datetime.timedelta(days=3, minutes=1), tick=False):
            self.assertContains(self.client.get(link, follow=True), "It was used already or has expired")
        with time_machine.travel(FROZEN + datetime.timedelta(days=2, hours=23), tick=False):
            _form_page, done = self.choose_password(link)
            self.assertContains(done, "Your password is set")

    @override_settings(PASSWORD_RESET_TIMEOUT=3 * 24 * 3600)
    def test_a_row_delivered_after_the_link_would_expire_sends_nothing(self):
        with time_machine.travel(FROZEN, tick=False):
            self.ask("edith@example.org")
        with time_machine.travel(FROZEN + datetime.timedelta(days=3, minutes=1), tick=False):
            self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(mail.outbox, [])
        self.assertEqual(OutboxMessage.objects.get(kind=PASSWORD_RESET).last_error, "nothing to send")


class PasswordResetLimitTests(TestCase):
    """The reset form is a public form: a burst from one client is paused, and
    one inbox cannot be flooded from many clients."""

    def setUp(self):
        self.editor = make_editor(username="edith")  # edith@example.org

    def test_a_burst_from_one_client_is_paused_with_the_address_kept(self):
        for n in range(5):
            answer = self.client.post(RESET, {"email": f"person{n}@example.org"}, REMOTE_ADDR="203.0.113.7")
            self.assertEqual(answer.status_code, 302)
        paused = self.client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR="203.0.113.7")
        self.assertEqual(paused.status_code, 429)
        self.assertTrue(paused["Retry-After"].isdigit())
        self.assertContains(paused, "so we paused this one", status_code=429)
        self.assertContains(paused, 'value="edith@example.org"', status_code=429)
        self.assertFalse(OutboxMessage.objects.filter(kind=PASSWORD_RESET, object_id=str(self.editor.pk)).exists())
        # Another client is not paused by it.
        elsewhere = self.client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR="198.51.100.9")
        self.assertEqual(elsewhere.status_code, 302)

    def test_one_inbox_gets_at_most_three_links_however_many_clients_ask(self):
        answers = [
            self.client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR=f"203.0.113.{n}")
            for n in range(1, 9)
        ]
        self.assertEqual({(a.status_code, a["Location"]) for a in answers}, {(302, reverse("password_reset_done"))})
        outbox_drain()
        self.assertEqual(len(mail.outbox), 3)
        # An address without an account is counted the same way: nothing tells them apart.
        for n in range(1, 9):
            self.client.post(RESET, {"email": "nobody@example.org"}, REMOTE_ADDR=f"198.51.100.{n}")
        self.assertEqual(OutboxMessage.objects.filter(kind=PASSWORD_RESET, object_id=NO_ACCOUNT).count(), 3)


@override_settings(SITE_URL="http://desk.example")
class PasswordResetMailServerDownTests(TestCase):
    def setUp(self):
        make_editor(username="edith")

    def test_smtp_refusing_does_not_break_the_request_and_the_mail_goes_out_after(self):
        """No broker: the row is delivered inline after commit, the mail server
        refuses, the page answers all the same; once the server is back, the
        drain sends the reset, with a link that works."""
        with time_machine.travel(FROZEN, tick=False):
            with (
                override_settings(MAILERS=smtp_at(free_port())),
                tasks_inline(True),
                self.captureOnCommitCallbacks(execute=True),
            ):
                response = self.client.post(RESET, {"email": "edith@example.org"})
            self.assertRedirects(response, reverse("password_reset_done"))
            row = OutboxMessage.objects.get(kind=PASSWORD_RESET)
            self.assertIsNone(row.sent_at)
            self.assertIn("ConnectionRefused", row.last_error)
            self.assertEqual(mail.outbox, [])
        # The mail server is back (the test mailer again); the drain runs after the backoff.
        with time_machine.travel(FROZEN + datetime.timedelta(minutes=1), tick=False):
            self.assertEqual(outbox_drain(), (1, 0))
            self.assertEqual(mail.outbox[0].to, ["edith@example.org"])
            page = self.client.get(reset_link(mail.outbox[0]), follow=True)
            self.assertContains(page, "Choose a new password")

    def test_with_a_broker_the_request_never_talks_to_the_mail_server(self):
        """A mail server that accepts connections and never answers would hold
        a request for its whole timeout: with a broker (production) the request
        hands the row to the worker and never connects to it at all."""
        with socket.socket() as black_hole:
            black_hole.bind(("127.0.0.1", 0))
            black_hole.listen(8)
            black_hole.settimeout(0)
            port = black_hole.getsockname()[1]
            queued = []
            with (
                override_settings(MAILERS=smtp_at(port, timeout=30)),
                tasks_inline(False),
                mock.patch("vigil.tasks.outbox_send.apply_async", side_effect=lambda **kw: queued.append(kw)),
                self.captureOnCommitCallbacks(execute=True),
            ):
                response = self.client.post(RESET, {"email": "edith@example.org"})
            self.assertRedirects(response, reverse("password_reset_done"))
            with self.assertRaises(BlockingIOError):
                black_hole.accept()  # nobody connected
        row = OutboxMessage.objects.get(kind=PASSWORD_RESET)
        self.assertEqual(queued[0]["kwargs"], {"keys": [row.idempotency_key]})
        self.assertEqual(mail.outbox, [])
        # The worker's delivery, once the mail server answers.
        self.assertEqual(outbox_drain(), (1, 0))
        self.assertEqual(mail.outbox[0].to, ["edith@example.org"])

"""Admins are told when a piece (a new article or a rewrite) is submitted for
sign-off: one message per admin through the per-recipient outbox, exactly once
per submission, with a link to the page where they sign it off."""

import datetime
import re
from urllib.parse import urlsplit

import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from articles.services import REWRITE_SUBMITTED
from claims.notices import ARTICLE_SUBMITTED
from claims.services import article_publish, article_send_back, article_submit
from tests.articles.test_rewrites import draft
from tests.claims.test_drafting import ready_draft
from tests.factories import make_admin, make_article, make_editor, make_user
from vigil.models import OutboxMessage
from vigil.notifications import outbox_drain

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def link_in(body):
    """The desk link a notice carries, as a path the test client can open."""
    url = re.search(r"https?://\S+", body).group(0)
    parts = urlsplit(url)
    return parts.path, parts.fragment


@time_machine.travel(FROZEN, tick=False)
class SubmittedForSignOffNoticeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor(first_name="Ines", last_name="Okafor")
        cls.admins = [make_admin(username="peter"), make_admin(username="maria")]
        cls.superuser = make_user(username="root", is_superuser=True, is_staff=True)
        # Not told: an admin without an address, an admin who left, editors, readers.
        User.objects.filter(pk=make_admin(username="no-address").pk).update(email="")
        make_admin(username="gone", is_active=False)
        make_editor(username="another-editor")
        make_user(username="reader")

    def told(self):
        return sorted(address for message in mail.outbox for address in message.to)

    def admins_addresses(self):
        return sorted(["peter@example.org", "maria@example.org", "root@example.org"])

    def submit_from_the_desk(self, article):
        self.client.force_login(self.editor)
        # The hand-over to the worker is left out: the drain below is the one
        # sender, whether or not a broker is configured (inline without one).
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(reverse("claims:desk_article_submit", kwargs={"slug": article.slug}))
        self.assertRedirects(response, reverse("claims:desk_article_edit", kwargs={"slug": article.slug}))
        return outbox_drain()

    def test_each_admin_is_told_once_when_an_article_is_submitted(self):
        article = ready_draft(self.editor)
        self.assertEqual(self.submit_from_the_desk(article), (3, 0))
        self.assertEqual(self.told(), self.admins_addresses())
        self.assertTrue(all(len(message.to) == 1 for message in mail.outbox))
        # Run again (a retry, the next minute's drain): nothing is sent twice.
        self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(len({message.extra_headers["Message-ID"] for message in mail.outbox}), 3)
        message = mail.outbox[0]
        self.assertIn(f"“{article.title}” awaits your sign-off", message.subject)
        self.assertIn("Drafted by Claude", message.body)

    def test_the_link_opens_the_sign_off_form(self):
        article = ready_draft(self.editor)
        self.submit_from_the_desk(article)
        path, fragment = link_in(mail.outbox[0].body)
        self.assertEqual((path, fragment), (reverse("claims:desk_article_edit", kwargs={"slug": article.slug}), "sign-off"))
        self.client.force_login(self.admins[0])
        page = self.client.get(path)
        self.assertContains(page, 'id="sign-off"')
        self.assertContains(page, reverse("claims:desk_article_sign_off", kwargs={"slug": article.slug}))

    def test_a_piece_sent_back_and_submitted_again_is_told_again(self):
        article = ready_draft(self.editor)
        with self.captureOnCommitCallbacks(execute=False):
            article_submit(article=article, editor=self.editor)
            article_send_back(article=article, admin=self.admins[0], reason="Source the second figure.")
            article_submit(article=article, editor=self.editor)
        self.assertEqual(outbox_drain(), (6, 0))
        self.assertEqual(self.told(), sorted(self.admins_addresses() * 2))
        self.assertEqual(OutboxMessage.objects.filter(kind=ARTICLE_SUBMITTED).count(), 6)

    def test_a_refused_submission_tells_nobody(self):
        article = make_article(status="draft", published_on=None, slug="unready")  # no claim, section or pillar
        self.submit_from_the_desk(article)
        self.assertFalse(OutboxMessage.objects.filter(kind=ARTICLE_SUBMITTED).exists())
        self.assertEqual(mail.outbox, [])

    def test_nothing_is_sent_once_the_piece_no_longer_waits(self):
        """Signed off before the mail went out (the broker was down): the notice has nothing to ask."""
        article = ready_draft(self.editor)
        with self.captureOnCommitCallbacks(execute=False):
            article_submit(article=article, editor=self.editor)
        self.assertEqual(OutboxMessage.objects.filter(kind=ARTICLE_SUBMITTED).count(), 3)
        article_publish(article=article, admin=self.admins[0])
        self.assertEqual(outbox_drain(), (0, 0))
        self.assertFalse([m for m in mail.outbox if "awaits your sign-off" in m.subject])
        self.assertFalse(OutboxMessage.objects.filter(kind=ARTICLE_SUBMITTED, sent_at__isnull=True).exists())

    def test_a_failed_send_is_retried_and_still_sent_once(self):
        article = ready_draft(self.editor)
        with self.settings(MAILERS={"default": {"BACKEND": "tests.reviews.mail_backends.FailingBackend"}}):
            with self.captureOnCommitCallbacks(execute=False):
                article_submit(article=article, editor=self.editor)
            self.assertEqual(outbox_drain(), (0, 3))
        self.assertEqual(mail.outbox, [])
        OutboxMessage.objects.update(due_at=FROZEN)
        self.assertEqual(outbox_drain(), (3, 0))
        self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(self.told(), self.admins_addresses())

    def test_each_admin_is_told_once_when_a_rewrite_is_submitted(self):
        rewrite = draft(make_article(title="Wind power"), self.editor)
        self.assertFalse(OutboxMessage.objects.filter(kind=REWRITE_SUBMITTED).exists())  # private: nobody is told
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post(reverse("articles:desk_rewrite_submit", kwargs={"pk": rewrite.pk}))
        self.assertEqual(outbox_drain(), (3, 0))
        self.assertEqual(self.told(), self.admins_addresses())
        self.assertEqual(outbox_drain(), (0, 0))
        message = mail.outbox[0]
        self.assertIn("Rewrite of “Wind power” awaits your sign-off", message.subject)
        self.assertIn("Ines Okafor submitted a rewrite", message.body)
        path, _ = link_in(message.body)
        self.assertEqual(path, reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))
        self.client.force_login(self.admins[1])
        self.assertContains(self.client.get(path), "Approve the rewrite")

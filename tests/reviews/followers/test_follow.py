"""Followers: double opt-in, one e-mail per change through the outbox, digests,
dissenters answered, one-click leaving and erasure (followers/)."""

import datetime
import re

import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from claims.models import Verdict
from corrections.services import correction_entry_write
from dissent.models import Dissent
from reviews.followers.links import confirm_token, manage_token
from reviews.followers.models import Subscription
from reviews.followers.services import follow_request
from reviews.services import review_record
from tests.factories import make_article, make_claim, make_editor, make_pillar
from tests.reviews.followers.helpers import after_commit, committed, drain_later
from vigil.models import OutboxMessage
from vigil.notifications import outbox_drain

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
ARGUMENT = "The survey behind this figure asked 40 people, not 4,000, as the methods appendix shows. " * 3


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def follow_and_confirm(client, claim, email, **data):
    """What a reader does: post the small form, open the link in the e-mail."""
    with after_commit():
        client.post(reverse("followers:follow_claim", args=[claim.code]), {"email": email, **data})
    (confirmation,) = [m for m in mail.outbox if m.to == [email] and "Confirm" in m.subject]
    (link,) = [link for link in links_in(confirmation) if "/follow/confirm/" in link]
    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200, page.content
    return page


@time_machine.travel(NOW, tick=False)
class FollowTests(TestCase):
    def setUp(self):
        self.editor = make_editor(username="ada")
        self.pillar = make_pillar()
        self.article = make_article(pillar=self.pillar)
        self.claim = make_claim(article=self.article, verdict=Verdict.HOLDING)

    def review(self, verdict, **kwargs):
        return committed(
            self, review_record, claim=self.claim, editor=self.editor, verdict=verdict,
            cadence_days=60, reasoning="New survey data came in.", **kwargs,
        )

    def follower_mail(self):
        return [m for m in mail.outbox if "Confirm" not in m.subject and m.to != ["ada@example.org"]]

    def test_subscribe_confirm_then_a_verdict_change_sends_one_email_to_each_confirmed_follower(self):
        follow_and_confirm(self.client, self.claim, "reader@example.org")
        follow_and_confirm(Client(), self.claim, "other@example.org")
        with after_commit():
            self.client.post(reverse("followers:follow_claim", args=[self.claim.code]), {"email": "late@example.org"})
        mail.outbox.clear()

        self.review(Verdict.NOT_HOLDING)
        self.assertEqual(mail.outbox, [])  # the digest window is still open
        drain_later()
        drain_later(minutes=30)
        got = self.follower_mail()
        self.assertEqual(sorted(m.to[0] for m in got), ["other@example.org", "reader@example.org"])
        message = got[0]
        self.assertIn(f"{self.claim.code} is now Not holding (was Holding)", message.subject)
        self.assertIn("New survey data came in.", message.body)
        self.assertIn(f"/claims/{self.claim.code}/", message.body)
        self.assertIn("Vigil", message.body)
        self.assertEqual(message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn("/follow/manage/", message.extra_headers["List-Unsubscribe"])
        html, mimetype = message.alternatives[0]
        self.assertEqual(mimetype, "text/html")
        self.assertIn("Not holding", html)
        self.assertTrue(message.extra_headers["Message-ID"].startswith("<"))

    def test_nothing_is_sent_before_confirmation(self):
        with after_commit():
            follow_request(email="reader@example.org", kind="claim", key=self.claim.code)
        mail.outbox.clear()
        self.review(Verdict.NOT_HOLDING)
        drain_later()
        self.assertEqual(self.follower_mail(), [])

    def test_the_same_answer_whether_or_not_the_address_already_follows(self):
        follow_and_confirm(self.client, self.claim, "reader@example.org")
        url = reverse("followers:follow_claim", args=[self.claim.code])
        with after_commit():
            known = Client().post(url, {"email": "reader@example.org"})
            unknown = Client().post(url, {"email": "new@example.org"})
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(
            known.content.decode().replace("reader@example.org", "X"),
            unknown.content.decode().replace("new@example.org", "X"),
        )
        self.assertContains(known, "Check your inbox")

    def test_a_review_that_keeps_the_verdict_reaches_only_those_who_chose_every_review(self):
        follow_and_confirm(self.client, self.claim, "changes@example.org")
        follow_and_confirm(Client(), self.claim, "every@example.org", every_review="on")
        mail.outbox.clear()
        self.review(Verdict.HOLDING)
        drain_later()
        self.assertEqual([m.to for m in self.follower_mail()], [["every@example.org"]])
        self.assertIn("still Holding", self.follower_mail()[0].subject)

    def test_changes_within_the_window_go_out_as_one_digest(self):
        article_follower = Subscription.objects.create(
            email="reader@example.org", kind="article", key=self.article.slug, confirmed_at=NOW
        )
        self.assertTrue(article_follower.pk)
        self.review(Verdict.NOT_HOLDING)
        with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
            committed(
                self, correction_entry_write, article=self.article, kind="correction",
                text="The sample size was 40, not 4,000.", editor=self.editor,
            )
        drain_later(minutes=6)
        drain_later(minutes=30)
        (digest,) = self.follower_mail()
        self.assertEqual(digest.subject, "[Vigil] 2 changes to what you follow")
        self.assertIn("is now Not holding", digest.body)
        self.assertIn("The sample size was 40, not 4,000.", digest.body)

    def test_a_pillar_follower_hears_of_a_claim_in_the_pillar_once(self):
        Subscription.objects.create(email="r@example.org", kind="pillar", key=self.pillar.slug, confirmed_at=NOW)
        Subscription.objects.create(email="r@example.org", kind="claim", key=self.claim.code, confirmed_at=NOW)
        self.review(Verdict.PARTIAL)
        drain_later()
        self.assertEqual(len(self.follower_mail()), 1)

    def test_the_dissenter_is_answered_after_the_review_that_weighed_it(self):
        dissent = Dissent.objects.create(claim=self.claim, argument=ARGUMENT, email="dissenter@example.org")
        quiet = Dissent.objects.create(claim=self.claim, argument=ARGUMENT + "x", email="")
        self.review(Verdict.PARTIAL, weighings={dissent.pk: True, quiet.pk: False})
        outbox_drain()
        (answer,) = [m for m in mail.outbox if m.to == ["dissenter@example.org"]]
        self.assertIn("judged material", answer.body)
        self.assertIn("from Holding to Partial", answer.body)
        self.assertIn(f"/claims/{self.claim.code}/", answer.body)
        self.assertIn("List-Unsubscribe", answer.extra_headers)
        outbox_drain()
        self.assertEqual(len([m for m in mail.outbox if m.to == ["dissenter@example.org"]]), 1)

    def test_one_click_unsubscribe_posts_without_a_cookie_and_erases_the_address(self):
        follow_and_confirm(self.client, self.claim, "reader@example.org")
        Subscription.objects.create(email="reader@example.org", kind="pillar", key=self.pillar.slug, confirmed_at=NOW)
        self.review(Verdict.NOT_HOLDING)  # a change still owed to them
        url = reverse("followers:manage", args=[manage_token("reader@example.org")])
        bare = Client(enforce_csrf_checks=True)
        response = bare.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Subscription.objects.filter(email="reader@example.org").exists())
        self.assertFalse(OutboxMessage.objects.filter(recipient="reader@example.org").exists())
        mail.outbox.clear()
        drain_later()
        self.assertEqual(mail.outbox, [])

    def test_the_manage_page_lists_subscriptions_and_stops_one(self):
        keep = Subscription.objects.create(email="r@example.org", kind="pillar", key=self.pillar.slug, confirmed_at=NOW)
        stop = Subscription.objects.create(email="r@example.org", kind="claim", key=self.claim.code, confirmed_at=NOW)
        url = reverse("followers:manage", args=[manage_token("r@example.org")])
        page = self.client.get(url)
        self.assertContains(page, self.claim.statement)
        self.assertContains(page, f"the pillar {self.pillar.name}")
        Client(enforce_csrf_checks=True).post(url, {"stop": stop.pk})
        self.assertEqual(list(Subscription.objects.values_list("pk", flat=True)), [keep.pk])

    def test_a_stop_that_is_not_an_ascii_number_stops_nothing_and_never_500s(self):
        """Issue 18: "²" passes str.isdigit() and then int() raises."""
        Subscription.objects.create(email="r@example.org", kind="claim", key=self.claim.code, confirmed_at=NOW)
        url = reverse("followers:manage", args=[manage_token("r@example.org")])
        for value in ("²", "\u0663", " 1", "+1"):
            with self.subTest(value=value):
                response = Client(enforce_csrf_checks=True).post(url, {"stop": value})
                self.assertContains(response, self.claim.statement)
        self.assertEqual(Subscription.objects.filter(email="r@example.org").count(), 1)

    def test_expired_and_tampered_links_are_refused_with_a_clear_page(self):
        with after_commit():
            subscription = follow_request(email="reader@example.org", kind="claim", key=self.claim.code)
        token = confirm_token(subscription)
        tampered = self.client.get(reverse("followers:confirm", args=[token[:-2] + "xx"]))
        self.assertContains(tampered, "not one we sent", status_code=400)
        with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
            expired = self.client.get(reverse("followers:confirm", args=[token]))
        self.assertContains(expired, "This link has expired", status_code=400)
        forged = signing.dumps({"e": "someone@example.org"}, salt="wrong")
        self.assertContains(
            self.client.get(reverse("followers:manage", args=[forged])), "not one we sent", status_code=400
        )
        subscription.refresh_from_db()
        self.assertIsNone(subscription.confirmed_at)

    def test_unconfirmed_follows_expire(self):
        from reviews.followers.fanout import followers_sweep

        with after_commit():
            follow_request(email="reader@example.org", kind="claim", key=self.claim.code)
        with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
            followers_sweep()
        self.assertFalse(Subscription.objects.exists())

    def test_honeypot_and_rate_limit_apply(self):
        url = reverse("followers:follow_claim", args=[self.claim.code])
        with after_commit():
            bot = self.client.post(url, {"email": "bot@example.org", "website": "http://spam"})
        self.assertContains(bot, "Check your inbox")
        self.assertFalse(Subscription.objects.exists())
        with override_settings(PUBLIC_FORMS={**__import__("django.conf").conf.settings.PUBLIC_FORMS, "RATE_LIMIT": 1}):
            with after_commit():
                self.client.post(url, {"email": "a@example.org"})
                limited = self.client.post(url, {"email": "b@example.org"})
        self.assertEqual(limited.status_code, 429)
        self.assertContains(limited, 'value="b@example.org"', status_code=429)

    def test_bad_input_keeps_what_was_typed(self):
        url = reverse("followers:follow_claim", args=[self.claim.code])
        response = self.client.post(url, {"email": "not-an-address"})
        self.assertContains(response, 'value="not-an-address"', status_code=400)
        self.assertContains(response, "Enter a valid email address", status_code=400)

    def test_follow_forms_sit_on_the_claim_article_and_pillar_pages(self):
        for page, url in [
            (self.claim.get_absolute_url(), reverse("followers:follow_claim", args=[self.claim.code])),
            (self.article.get_absolute_url(), reverse("followers:follow_article", args=[self.article.slug])),
            (self.pillar.get_absolute_url(), reverse("followers:follow_pillar", args=[self.pillar.slug])),
        ]:
            self.assertContains(self.client.get(page), f'action="{url}"')

    def test_export_and_erase_everything_held_about_an_address(self):
        from io import StringIO

        Subscription.objects.create(email="r@example.org", kind="claim", key=self.claim.code, confirmed_at=NOW)
        dissent = Dissent.objects.create(claim=self.claim, argument=ARGUMENT, email="r@example.org")
        out = StringIO()
        call_command("follower_data", "export", "R@example.org", stdout=out)
        self.assertIn(self.claim.code, out.getvalue())
        self.assertIn('"dissent"', out.getvalue())
        call_command("follower_data", "erase", "r@example.org", stdout=StringIO())
        self.assertFalse(Subscription.objects.exists())
        dissent.refresh_from_db()
        self.assertEqual(dissent.email, "")
        self.assertEqual(dissent.argument, ARGUMENT)

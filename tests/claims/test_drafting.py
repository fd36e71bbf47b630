"""Articles are born in the desk: drafting with claims, the lifecycle from
draft to publication (now or scheduled), and what readers see meanwhile."""

import datetime
import zoneinfo

import time_machine
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from articles.models import Article
from claims.models import Claim
from claims.services import (
    ClaimDraft,
    DraftConflict,
    PublicationRefused,
    article_draft_save,
    article_publish,
    article_send_back,
    article_submit,
    articles_publish_due,
)
from tests.factories import make_admin, make_editor, make_pillar, make_section
from vigil.models import Event

LONDON = zoneinfo.ZoneInfo("Europe/London")
FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def fields(**overrides):
    values = {
        "title": "Agent budgets miss the evaluation role",
        "slug": "agent-budgets",
        "dek": "Teams fund the agents, not the people who check them.",
        "body_markdown": "The body.\n\nA second paragraph.",
        "section": None,
        "pillar": None,
        "drafted_by": "Claude",
        "cover_alt": "",
    }
    values.update(overrides)
    return values


def claims(*statements, triggers=("A study that finds otherwise.",)):
    return [ClaimDraft(statement=text, triggers=list(triggers)) for text in statements]


def ready_draft(editor, **overrides):
    """A draft with everything publication needs."""
    return article_draft_save(
        editor=editor,
        fields=fields(section=make_section(), pillar=make_pillar(), **overrides),
        claims=claims("Budgets omit evaluation.", "Evaluation pays back."),
    )


@time_machine.travel(FROZEN, tick=False)
class DraftSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def test_codes_are_given_at_the_first_save_primary_first(self):
        article = article_draft_save(
            editor=self.editor,
            fields=fields(),
            claims=[
                ClaimDraft(statement="First.", triggers=["One", "Two", "Three"], cadence_days=45),
                ClaimDraft(statement="Second."),
            ],
        )
        self.assertEqual(article.status, "draft")
        first, second = Claim.objects.filter(article=article).order_by("code")
        self.assertTrue(first.is_primary)
        self.assertFalse(second.is_primary)
        self.assertRegex(first.code, r"^AM-\d{3}$")
        self.assertEqual([t.text for t in first.triggers.all()], ["One", "Two", "Three"])
        event = Event.objects.get()
        self.assertEqual(event.action, "article.draft")
        self.assertEqual(set(event.keys("claim")), {first.code, second.code})

    def test_reorder_and_remove_before_publication(self):
        article = article_draft_save(editor=self.editor, fields=fields(), claims=claims("A.", "B.", "C."))
        a, b, c = Claim.objects.filter(article=article).order_by("code")
        article_draft_save(
            editor=self.editor,
            article=article,
            fields=fields(),
            claims=[ClaimDraft(pk=c.pk, statement="C, now primary.", triggers=["Later", "Sooner"]),
                    ClaimDraft(pk=a.pk, statement="A.")],
            expected_version=article.draft_version,
        )
        remaining = {claim.code: claim for claim in Claim.objects.filter(article=article)}
        self.assertEqual(set(remaining), {a.code, c.code})
        self.assertTrue(remaining[c.code].is_primary)
        self.assertEqual([t.text for t in remaining[c.code].triggers.all()], ["Later", "Sooner"])
        self.assertIn(f"{b.code} removed", Event.objects.newest_first().first().summary)

    def test_a_second_save_from_an_older_form_is_refused_with_what_changed(self):
        article = article_draft_save(editor=self.editor, fields=fields(), claims=claims("A."))
        loaded = article.draft_version
        other = make_editor(first_name="Ruth", last_name="Okafor")
        article_draft_save(editor=other, article=article, fields=fields(title="Ruth's title"),
                           claims=[], expected_version=loaded)
        with self.assertRaises(DraftConflict) as refused:
            article_draft_save(editor=self.editor, article=article, fields=fields(title="Mine"),
                               claims=[], expected_version=loaded)
        self.assertIn("Ruth Okafor saved this draft", str(refused.exception))
        self.assertIn("title", str(refused.exception))
        article.refresh_from_db()
        self.assertEqual(article.title, "Ruth's title")

    def test_readers_cannot_draft(self):
        with self.assertRaises(PermissionDenied):
            article_draft_save(editor=None, fields=fields(), claims=[])


@time_machine.travel(FROZEN, tick=False)
class PublicationPreconditionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.admin = make_editor(), make_admin()

    def refusal(self, article):
        with self.assertRaises(PublicationRefused) as refused:
            article_publish(article=article, admin=self.admin)
        article.refresh_from_db()
        self.assertEqual(article.status, "draft")
        return str(refused.exception)

    def test_everything_missing_is_listed_in_one_message(self):
        article = article_draft_save(editor=self.editor, fields=fields(), claims=[])
        self.assertEqual(
            self.refusal(article),
            "This article cannot be published yet: add a primary claim, a section and a pillar.",
        )

    def test_each_precondition_has_its_words(self):
        cases = {
            "a section": fields(pillar=make_pillar()),
            "a pillar": fields(section=make_section()),
        }
        for missing, values in cases.items():
            with self.subTest(missing=missing):
                article = article_draft_save(editor=self.editor, fields={**values, "slug": missing.replace(" ", "-")},
                                             claims=claims("A."))
                self.assertEqual(self.refusal(article), f"This article cannot be published yet: add {missing}.")
        no_trigger = article_draft_save(
            editor=self.editor, fields=fields(slug="no-trigger", section=make_section(), pillar=make_pillar()),
            claims=claims("A.", triggers=()),
        )
        self.assertEqual(
            self.refusal(no_trigger),
            "This article cannot be published yet: add at least one evidence trigger on the primary claim.",
        )
        with_cover = ready_draft(self.editor, slug="with-cover")
        Article.objects.filter(pk=with_cover.pk).update(cover="covers/2026/x.jpg")
        self.assertEqual(self.refusal(with_cover), "This article cannot be published yet: add alt text for the cover.")
        self.assertFalse(Event.objects.filter(action="article.publish").exists())

    def test_submission_is_refused_the_same_way(self):
        article = article_draft_save(editor=self.editor, fields=fields(), claims=claims("A."))
        with self.assertRaisesMessage(PublicationRefused, "cannot be submitted yet: add a section and a pillar."):
            article_submit(article=article, editor=self.editor)

    def test_only_admins_sign_off(self):
        article = ready_draft(self.editor)
        with self.assertRaises(PermissionDenied):
            article_publish(article=article, admin=self.editor)
        with self.assertRaises(PermissionDenied):
            article_send_back(article=article, admin=self.editor, reason="No.")


@time_machine.travel(FROZEN, tick=False)
class LifecycleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.admin = make_editor(), make_admin(first_name="Peter", last_name="Lane")

    def test_submit_send_back_resubmit_publish_now(self):
        article = ready_draft(self.editor)
        article_submit(article=article, editor=self.editor)
        article_send_back(article=article, admin=self.admin, reason="Source the second figure.")
        article.refresh_from_db()
        self.assertEqual((article.status, article.sent_back_reason), ("draft", "Source the second figure."))
        article_submit(article=article, editor=self.editor)
        article_publish(article=article, admin=self.admin)
        article.refresh_from_db()
        self.assertEqual(
            (article.status, article.published_on, article.signed_off_by, article.sent_back_reason),
            ("published", datetime.date(2026, 3, 2), "Peter Lane", ""),
        )
        # Countdowns start at publication, spread over the least-loaded days
        # near the cadence (claims.scheduling.proposed_due): 60 days, then the day before.
        self.assertEqual(
            set(Claim.objects.filter(article=article).values_list("next_review_due", flat=True)),
            {datetime.date(2026, 5, 1), datetime.date(2026, 4, 30)},
        )

    def test_scheduled_goes_live_at_its_minute_exactly_once(self):
        article = ready_draft(self.editor)
        at = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
        article_publish(article=article, admin=self.admin, at=at)
        article.refresh_from_db()
        self.assertEqual((article.status, article.publish_at), ("scheduled", at))
        self.assertFalse(Article.objects.published().filter(pk=article.pk).exists())

        with time_machine.travel(at - datetime.timedelta(seconds=1), tick=False):
            self.assertEqual(articles_publish_due(), 0)
        with time_machine.travel(at, tick=False):
            self.assertEqual(articles_publish_due(), 1)
            self.assertEqual(articles_publish_due(), 0)
        article.refresh_from_db()
        self.assertEqual((article.status, article.published_on), ("published", datetime.date(2026, 3, 2)))
        went_live = Event.objects.filter(action="article.go_live")
        self.assertEqual(went_live.count(), 1)
        self.assertEqual(went_live.get().actor, self.admin)

    def test_a_moment_in_the_past_publishes_now(self):
        article = ready_draft(self.editor)
        article_publish(article=article, admin=self.admin, at=FROZEN - datetime.timedelta(hours=1))
        article.refresh_from_db()
        self.assertEqual(article.status, "published")

    def test_a_scheduled_piece_can_be_sent_back(self):
        article = ready_draft(self.editor)
        article_publish(article=article, admin=self.admin, at=FROZEN + datetime.timedelta(days=1))
        article_send_back(article=article, admin=self.admin, reason="Hold it: the figures moved.")
        article.refresh_from_db()
        self.assertEqual((article.status, article.publish_at), ("draft", None))
        with time_machine.travel(FROZEN + datetime.timedelta(days=2), tick=False):
            self.assertEqual(articles_publish_due(), 0)

    def test_published_text_is_not_saved_as_a_draft(self):
        article = ready_draft(self.editor)
        article_publish(article=article, admin=self.admin)
        with self.assertRaisesMessage(PublicationRefused, "correction or a rewrite"):
            article_draft_save(editor=self.editor, article=article, fields=fields(title="New"), claims=[])

"""The per-day due-date counts (claims.due_load): exact after every kind of
write, read by the proposal at one row a day, checked and recounted by
`manage.py due_load`."""

import datetime
import io

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import TestCase

from articles.models import Article
from claims import due_load
from claims.models import Claim, DueLoad
from claims.services import (
    ClaimDraft,
    article_draft_save,
    article_publish,
    article_send_back,
    articles_publish_due,
    claim_assign,
    claim_create,
    claim_reschedule,
    trigger_fire,
)
from corrections.services import article_retire
from reviews.services import review_record
from tests.factories import make_admin, make_article, make_claim, make_editor, make_pillar, make_section

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def day(n):
    return TODAY + datetime.timedelta(days=n)


def grouped():
    """The claims of live and scheduled pieces counted the plain way, in the
    test's own words: {(editor id, day): n} per editor and {(None, day): n} for all."""
    load = Claim.objects.filter(article__status__in=["published", "scheduled"]).order_by()
    counts = {
        (editor, due_on): n
        for editor, due_on, n in load.filter(assigned_editor__isnull=False)
        .values_list("assigned_editor", "next_review_due")
        .annotate(n=Count("pk"))
    }
    counts.update(
        {(None, due_on): n for due_on, n in load.values_list("next_review_due").annotate(n=Count("pk"))}
    )
    return counts


def kept():
    return {(row.editor_id, row.day): row.due for row in DueLoad.objects.exclude(due=0)}


def draft(editor, slug, *statements):
    return article_draft_save(
        editor=editor,
        fields={
            "title": f"Piece {slug}",
            "slug": slug,
            "dek": "A standfirst.",
            "body_markdown": "The body.",
            "section": make_section(),
            "pillar": make_pillar(),
            "drafted_by": "Claude",
            "cover_alt": "",
        },
        claims=[ClaimDraft(statement=text, triggers=["A study that finds otherwise."]) for text in statements],
    )


@time_machine.travel(NOW, tick=False)
class DueLoadExactTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.other, cls.admin = make_editor(), make_editor(), make_admin()

    def assertExact(self, step):
        self.assertEqual(kept(), grouped(), f"after {step}")
        self.assertEqual(due_load.drift(), {}, f"after {step}")

    def test_counts_equal_a_group_by_after_a_mix_of_actions_and_direct_writes(self):
        live = make_article(published_on=day(-10))
        pile = [
            make_claim(article=live, next_review_due=day(40 + n % 3), assigned_editor=owner)
            for n, owner in enumerate([self.editor, self.other, None] * 4)
        ]
        self.assertExact("claims written directly")
        self.assertEqual(DueLoad.objects.get(editor=None, day=day(40)).due, 4)

        claim_create(actor=self.editor, article=live, statement="Made by an editor.", verdict="holding")
        self.assertExact("claim.create")
        # Drafts' claims are no load until the piece is published (or scheduled).
        now_piece = draft(self.editor, "now", "A.", "B.")
        later_piece = draft(self.editor, "later", "C.")
        sent_back = draft(self.editor, "sent-back", "D.", "E.")
        self.assertExact("drafts saved")
        article_publish(article=now_piece, admin=self.admin)
        self.assertExact("article.publish, live now")
        for piece in (later_piece, sent_back):
            article_publish(article=piece, admin=self.admin, at=NOW + datetime.timedelta(hours=2))
        self.assertExact("article.publish, scheduled")
        article_send_back(article=sent_back, admin=self.admin, reason="Not yet.")
        self.assertExact("article.send_back")
        with time_machine.travel(NOW + datetime.timedelta(hours=3), tick=False):
            self.assertEqual(articles_publish_due(), 1)
        self.assertExact("article.go_live")

        review_record(claim=pile[0], editor=self.editor, verdict="holding", cadence_days=60, reasoning="Holds.")
        review_record(
            claim=pile[2], editor=self.other, verdict="partial", cadence_days=45, reasoning="Partly.",
            next_review_due=day(45),
        )
        self.assertExact("review.record")
        claim_reschedule(claim=pile[1], editor=self.editor, due_on=day(55), reason="spreading")
        self.assertExact("claim.reschedule")
        claim_assign(claim=pile[3], editor=self.other, assigned_by=self.editor)
        claim_assign(claim=pile[4], editor=None, assigned_by=self.editor)
        self.assertExact("claim.assign")
        fired = make_claim(article=live, next_review_due=day(70), triggers=["Prices rise."])
        trigger_fire(trigger=fired.triggers.get(), editor=self.editor, note="They rose.")
        self.assertExact("trigger.fire")
        article_retire(article=live, admin=self.admin, redirect_to=now_piece, reason="Superseded.")
        self.assertExact("article.retire")
        self.assertFalse(DueLoad.objects.filter(day=day(41)).exclude(due=0).exists())

        # Writes that go round every action: the counts hold all the same.
        Claim.objects.filter(article=now_piece).update(next_review_due=day(33), assigned_editor=self.editor)
        Claim.objects.filter(article=now_piece).first().delete()
        Article.objects.filter(pk=live.pk).update(status=Article.Status.PUBLISHED)
        self.assertExact("bulk updates and a delete")
        leaver = make_editor()
        Claim.objects.filter(pk__in=[pile[5].pk, pile[6].pk]).update(assigned_editor=leaver)
        leaver.delete()  # their claims become everyone's (SET_NULL)
        self.assertExact("an editor deleted")

    def test_moving_a_claim_between_days_touches_only_those_days(self):
        article = make_article(published_on=day(-10))
        claim = make_claim(article=article, next_review_due=day(40), assigned_editor=self.editor)
        make_claim(article=article, next_review_due=day(50))
        claim_reschedule(claim=claim, editor=self.editor, due_on=day(50), reason="spreading")
        self.assertEqual(kept(), {(None, day(50)): 2, (self.editor.pk, day(50)): 1})


@time_machine.travel(NOW, tick=False)
class ProposalReadsTheCountsTests(TestCase):
    def test_an_unassigned_claims_proposal_is_one_query_of_one_row_a_day(self):
        editor = make_editor()
        for n in range(54, 67):  # the 60-day window, ±10%: every day but the 58th
            for _ in range(3 if n != 58 else 1):
                make_claim(next_review_due=day(n), assigned_editor=editor if n % 2 else None)
        claim = Claim.objects.select_related("article").filter(assigned_editor=None).first()
        with self.assertNumQueries(1) as queries:
            proposed = claim.proposed_due(base=TODAY, cadence_days=60)
        self.assertEqual(proposed, day(58))
        self.assertIn(DueLoad._meta.db_table, queries.captured_queries[0]["sql"])
        self.assertEqual(len(DueLoad.objects.of(None).per_day(day(54), day(66))), 13)


class DueLoadCommandTests(TestCase):
    def test_check_finds_drift_and_rebuild_mends_it(self):
        make_claim(next_review_due=datetime.date(2026, 7, 1))
        make_claim(next_review_due=datetime.date(2026, 7, 2))
        out = io.StringIO()
        call_command("due_load", stdout=out)
        self.assertIn("match the claims", out.getvalue())

        DueLoad.objects.filter(day=datetime.date(2026, 7, 1)).update(due=7)
        DueLoad.objects.filter(day=datetime.date(2026, 7, 2)).delete()
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "off on 2 row(s)"):
            call_command("due_load", stdout=io.StringIO(), stderr=err)
        self.assertIn("2026-07-01 every claim: 1 due, 7 counted", err.getvalue())
        self.assertIn("2026-07-02 every claim: 1 due, 0 counted", err.getvalue())

        call_command("due_load", "--rebuild", stdout=io.StringIO())
        self.assertEqual(kept(), grouped())
        call_command("due_load", stdout=io.StringIO())

    def test_lost_triggers_are_put_back_and_the_counts_recounted(self):
        due_load.drop_triggers(connection)
        make_claim(next_review_due=datetime.date(2026, 7, 1))
        self.assertEqual(kept(), {})
        with self.assertRaises(CommandError):
            call_command("due_load", stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(due_load.ensure(connection), due_load.trigger_names(connection))
        self.assertEqual(kept(), grouped())
        self.assertEqual(due_load.missing_triggers(connection), [])

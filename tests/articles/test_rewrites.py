"""The rewrite state machine and retirements (articles/services.py)."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, close_old_connections, transaction
from django.test import TestCase, TransactionTestCase

from articles.models import Article, Revision, Rewrite
from articles.services import (
    RetirementRefused,
    RewriteAlreadyDecided,
    RewriteRefused,
    rewrite_draft,
    rewrite_reject,
    rewrite_submit,
    rewrite_withdraw,
)
from corrections.services import article_retire, rewrite_approve
from corrections.models import CorrectionEntry
from tests.factories import make_admin, make_article, make_claim, make_editor, make_user

FROZEN = datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 4, 27)


def draft(article, editor, **fields):
    fields.setdefault("title", "A sharper title")
    fields.setdefault("dek", "A new standfirst.")
    fields.setdefault("body_markdown", "The new body.\n\nWith **evidence**.")
    fields.setdefault("reader_note", "This piece is being rewritten against the current standard.")
    return rewrite_draft(article=article, editor=editor, **fields)


def submitted(article, editor, **fields):
    """Drafted privately, then submitted for sign-off: what admins decide."""
    return rewrite_submit(rewrite=draft(article, editor, **fields), editor=editor)


@time_machine.travel(FROZEN, tick=False)
class RewriteDraftTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(title="The original title")

    def test_a_new_rewrite_is_a_private_draft(self):
        rewrite = draft(self.article, self.editor)
        self.assertEqual(rewrite.status, Rewrite.Status.DRAFT)
        self.assertEqual(rewrite.drafted_by, self.editor)
        self.assertIsNone(rewrite.submitted_at)
        self.assertIn("<strong>evidence</strong>", rewrite.body_html)
        self.assertFalse(Rewrite.objects.open().exists())

    def test_saving_again_changes_the_same_draft(self):
        rewrite = draft(self.article, self.editor)
        again = draft(self.article, self.editor, rewrite=rewrite, title="Sharper still", body_markdown="Second *go*.")
        self.assertEqual(again.pk, rewrite.pk)
        rewrite.refresh_from_db()
        self.assertEqual((rewrite.title, rewrite.status), ("Sharper still", Rewrite.Status.DRAFT))
        self.assertIn("<em>go</em>", rewrite.body_html)
        self.assertEqual(Rewrite.objects.count(), 1)

    def test_only_its_editor_or_an_admin_works_on_a_draft(self):
        rewrite = draft(self.article, self.editor)
        with pytest.raises(PermissionDenied, match="who drafted this rewrite"):
            draft(self.article, make_editor(), rewrite=rewrite, title="Hijacked")
        with pytest.raises(PermissionDenied):
            rewrite_submit(rewrite=rewrite, editor=make_editor())
        draft(self.article, make_admin(), rewrite=rewrite, title="Tidied by an admin")
        rewrite.refresh_from_db()
        self.assertEqual((rewrite.title, rewrite.drafted_by), ("Tidied by an admin", self.editor))

    def test_a_submitted_rewrite_is_no_longer_a_draft_to_edit(self):
        rewrite = submitted(self.article, self.editor)
        with pytest.raises(RewriteAlreadyDecided, match="already submitted"):
            draft(self.article, self.editor, rewrite=rewrite, title="Late change")
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.title, "A sharper title")

    def test_markdown_goes_through_the_sanitiser(self):
        rewrite = draft(self.article, self.editor, body_markdown='Hi <script>alert(1)</script> [x](javascript:alert(1))')
        self.assertNotIn("<script", rewrite.body_html)
        self.assertNotIn("javascript:", rewrite.body_html)

    def test_a_second_rewrite_is_refused_while_one_is_drafted_or_submitted(self):
        draft(self.article, make_editor(first_name="Ada", last_name="Lovelace"))
        with pytest.raises(RewriteRefused, match="Ada Lovelace is already drafting"):
            draft(self.article, self.editor)
        other = make_article()
        submitted(other, self.editor)
        with pytest.raises(RewriteRefused, match="already has a rewrite awaiting sign-off"):
            draft(other, make_editor())
        self.assertEqual(Rewrite.objects.count(), 2)

    def test_database_holds_one_rewrite_in_progress_per_article(self):
        for status in [Rewrite.Status.DRAFT, Rewrite.Status.OPEN]:
            with self.subTest(status=status):
                article = make_article()
                Rewrite.objects.create(article=article, title="t", body_markdown="b", drafted_by=self.editor, status=status)
                with pytest.raises(IntegrityError), transaction.atomic():
                    Rewrite.objects.create(article=article, title="t", body_markdown="b", drafted_by=self.editor)

    def test_reader_may_not_draft(self):
        with pytest.raises(PermissionDenied):
            draft(self.article, make_user())

    def test_draft_or_retired_article_cannot_be_rewritten(self):
        with pytest.raises(RewriteRefused):
            draft(make_article(status=Article.Status.DRAFT, published_on=None), self.editor)

    def test_a_draft_may_wait_for_its_reader_note_but_submitting_needs_one(self):
        rewrite = draft(self.article, self.editor, reader_note=" ")
        with pytest.raises(RewriteRefused, match="note readers see"):
            rewrite_submit(rewrite=rewrite, editor=self.editor)
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.DRAFT)

    def test_a_draft_needs_a_title_and_a_body(self):
        for fields in [{"title": " "}, {"body_markdown": ""}]:
            with self.subTest(**fields), pytest.raises(RewriteRefused, match="title and a body"):
                draft(self.article, self.editor, **fields)
        self.assertFalse(Rewrite.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class RewriteSubmitTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(title="The original title")

    def test_submitting_opens_it_for_sign_off(self):
        rewrite = submitted(self.article, self.editor)
        rewrite.refresh_from_db()
        self.assertEqual((rewrite.status, rewrite.submitted_at), (Rewrite.Status.OPEN, FROZEN))
        self.assertEqual(list(Rewrite.objects.open()), [rewrite])

    def test_submitting_twice_changes_nothing(self):
        rewrite = submitted(self.article, self.editor)
        with pytest.raises(RewriteAlreadyDecided, match="already submitted"):
            rewrite_submit(rewrite=rewrite, editor=self.editor)

    def test_a_withdrawn_draft_cannot_be_submitted(self):
        rewrite = draft(self.article, self.editor)
        rewrite_withdraw(rewrite=rewrite, editor=self.editor)
        with pytest.raises(RewriteAlreadyDecided, match="already withdrawn"):
            rewrite_submit(rewrite=rewrite, editor=self.editor)

    def test_a_draft_cannot_be_approved_or_rejected_before_it_is_submitted(self):
        rewrite = draft(self.article, self.editor)
        admin = make_admin()
        with pytest.raises(RewriteAlreadyDecided, match="still a private draft"):
            rewrite_approve(rewrite=rewrite, admin=admin)
        with pytest.raises(RewriteAlreadyDecided, match="still a private draft"):
            rewrite_reject(rewrite=rewrite, admin=admin, reason="No.")
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "The original title")
        self.assertFalse(Revision.objects.exists())

    def test_discarding_a_private_draft_frees_the_article(self):
        rewrite = draft(self.article, self.editor)
        rewrite_withdraw(rewrite=rewrite, editor=self.editor)
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.WITHDRAWN)
        self.assertEqual(draft(self.article, make_editor()).status, Rewrite.Status.DRAFT)


@time_machine.travel(FROZEN, tick=False)
class RewriteApproveTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Ada", last_name="Editor")
        self.admin = make_admin(first_name="Peter", last_name="Admin")
        self.article = make_article(title="The original title", dek="Old dek.", body_markdown="Old body.")
        self.claim = make_claim(article=self.article, is_primary=True, next_review_due=datetime.date(2026, 6, 1))
        self.rewrite = submitted(self.article, self.editor)

    def test_approval_puts_the_new_text_live(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "A sharper title")
        self.assertEqual(self.article.dek, "A new standfirst.")
        self.assertIn("<strong>evidence</strong>", self.article.body_html)
        self.assertEqual(self.article.revised_on, TODAY)
        self.assertEqual(self.article.signed_off_by, "Peter Admin")
        self.assertEqual(self.article.drafted_by, "Ada Editor")

    def test_approval_keeps_the_old_text_as_a_revision(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        revision = Revision.objects.get(article=self.article)
        self.assertEqual((revision.title, revision.dek, revision.body_markdown), ("The original title", "Old dek.", "Old body."))
        self.assertEqual(revision.replaced_on, TODAY)
        self.assertEqual(revision.replaced_by_rewrite, self.rewrite)

    def test_approval_records_who_and_when(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.APPROVED)
        self.assertEqual(self.rewrite.decided_by, self.admin)
        self.assertEqual(self.rewrite.decided_at, FROZEN)

    def test_approval_writes_a_dated_rewrite_entry(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        entry = CorrectionEntry.objects.get(article=self.article)
        self.assertEqual(entry.kind, CorrectionEntry.Kind.REWRITE)
        self.assertEqual(entry.entry_on, TODAY)
        self.assertIn("Rewritten 27 Apr 2026", entry.text)
        self.assertIn("Previously titled “The original title”", entry.text)
        self.assertEqual(entry.claim, self.claim)

    def test_admin_may_word_the_entry(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin, entry_text="Reframed as a budget playbook.")
        self.assertEqual(CorrectionEntry.objects.get(article=self.article).text, "Reframed as a budget playbook.")

    def test_verdict_does_not_move_but_a_review_can_be_opened(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.claim.refresh_from_db()
        self.assertEqual((self.claim.verdict, self.claim.next_review_due), ("partial", datetime.date(2026, 6, 1)))

    def test_open_review_makes_the_primary_claim_due_today(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin, open_review=True)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, "partial")
        self.assertEqual(self.claim.next_review_due, TODAY)

    def test_editor_may_not_approve(self):
        with pytest.raises(PermissionDenied):
            rewrite_approve(rewrite=self.rewrite, admin=self.editor)
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.OPEN)

    def test_rewrite_of_a_retired_article_cannot_be_approved(self):
        # Retired behind the service's back (e.g. in Django admin): the approval still refuses.
        target = make_article()
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.RETIRED, redirect_to=target)
        with pytest.raises(RewriteRefused, match="retired"):
            rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "The original title")
        self.assertFalse(Revision.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class RewriteStateMachineTests(TestCase):
    """Approving and rejecting are allowed only from "open", withdrawing from a
    private draft or "open"; from any other state each changes nothing and says so."""

    def setUp(self):
        self.editor = make_editor()
        self.admin = make_admin()
        self.article = make_article(title="The original title")

    def _in_state(self, status):
        rewrite = submitted(self.article, self.editor)
        if status == Rewrite.Status.APPROVED:
            rewrite_approve(rewrite=rewrite, admin=self.admin)
        elif status == Rewrite.Status.REJECTED:
            rewrite_reject(rewrite=rewrite, admin=self.admin, reason="Off thesis.")
        elif status == Rewrite.Status.WITHDRAWN:
            rewrite_withdraw(rewrite=rewrite, editor=self.editor)
        rewrite.refresh_from_db()
        return rewrite

    def _actions(self):
        return {
            "approve": lambda r: rewrite_approve(rewrite=r, admin=self.admin),
            "reject": lambda r: rewrite_reject(rewrite=r, admin=self.admin, reason="Again."),
            "withdraw": lambda r: rewrite_withdraw(rewrite=r, editor=self.editor),
        }

    def test_allowed_transitions_from_open(self):
        for action, expected in [("approve", "approved"), ("reject", "rejected"), ("withdraw", "withdrawn")]:
            with self.subTest(action=action):
                if action == "approve":
                    self.article = make_article()
                rewrite = self._in_state(Rewrite.Status.OPEN)
                self._actions()[action](rewrite)
                rewrite.refresh_from_db()
                self.assertEqual(rewrite.status, expected)

    def test_refused_transitions_from_every_closed_state(self):
        for state in [Rewrite.Status.APPROVED, Rewrite.Status.REJECTED, Rewrite.Status.WITHDRAWN]:
            for action, act in self._actions().items():
                with self.subTest(state=state, action=action):
                    self.article = make_article()
                    rewrite = self._in_state(state)
                    before = (rewrite.status, rewrite.decided_at, rewrite.decided_by_id, rewrite.decision_reason)
                    entries = CorrectionEntry.objects.count()
                    revisions = Revision.objects.count()
                    with pytest.raises(RewriteAlreadyDecided, match=f"already {rewrite.get_status_display().lower()}"):
                        act(rewrite)
                    rewrite.refresh_from_db()
                    self.assertEqual(before, (rewrite.status, rewrite.decided_at, rewrite.decided_by_id, rewrite.decision_reason))
                    self.assertEqual(CorrectionEntry.objects.count(), entries)
                    self.assertEqual(Revision.objects.count(), revisions)

    def test_approving_a_stale_copy_twice_changes_nothing_the_second_time(self):
        rewrite = self._in_state(Rewrite.Status.OPEN)
        stale = Rewrite.objects.get(pk=rewrite.pk)
        rewrite_approve(rewrite=rewrite, admin=self.admin)
        with pytest.raises(RewriteAlreadyDecided):
            rewrite_approve(rewrite=stale, admin=make_admin())
        self.assertEqual(Revision.objects.count(), 1)
        self.assertEqual(CorrectionEntry.objects.filter(kind="rewrite").count(), 1)

    def test_rejection_keeps_the_live_text_and_records_the_reason(self):
        rewrite = self._in_state(Rewrite.Status.OPEN)
        rewrite_reject(rewrite=rewrite, admin=self.admin, reason="Off thesis.")
        rewrite.refresh_from_db()
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "The original title")
        self.assertEqual((rewrite.decision_reason, rewrite.decided_by, rewrite.decided_at), ("Off thesis.", self.admin, FROZEN))

    def test_rejection_needs_a_reason(self):
        rewrite = self._in_state(Rewrite.Status.OPEN)
        with pytest.raises(RewriteRefused):
            rewrite_reject(rewrite=rewrite, admin=self.admin, reason="")

    def test_editor_may_not_reject(self):
        rewrite = self._in_state(Rewrite.Status.OPEN)
        with pytest.raises(PermissionDenied):
            rewrite_reject(rewrite=rewrite, admin=self.editor, reason="No.")

    def test_a_new_rewrite_may_follow_a_closed_one(self):
        self._in_state(Rewrite.Status.REJECTED)
        self.assertEqual(submitted(self.article, self.editor).status, Rewrite.Status.OPEN)


@time_machine.travel(FROZEN, tick=False)
class ArticleRetireTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.article = make_article(title="Off-thesis piece", slug="off-thesis")
        self.target = make_article(title="Closer fit", slug="closer-fit")

    def test_retirement_redirects_and_records_who_and_when(self):
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="Off thesis.")
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.RETIRED)
        self.assertEqual(self.article.redirect_to, self.target)
        self.assertEqual((self.article.retired_by, self.article.retired_at), (self.admin, FROZEN))
        entry = CorrectionEntry.objects.get(article=self.article)
        self.assertEqual(entry.entry_on, TODAY)
        self.assertIn("Closer fit", entry.text)

    def test_target_must_be_a_different_published_article(self):
        draft_article = make_article(status=Article.Status.DRAFT, published_on=None)
        for target in [self.article, draft_article]:
            with self.subTest(target=target.title), pytest.raises(RetirementRefused):
                article_retire(article=self.article, admin=self.admin, redirect_to=target, reason="x")
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.PUBLISHED)

    def test_retired_target_is_refused_so_no_loop_can_form(self):
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="x")
        with pytest.raises(RetirementRefused):
            article_retire(article=self.target, admin=self.admin, redirect_to=self.article, reason="loop")
        self.target.refresh_from_db()
        self.assertEqual(self.target.status, Article.Status.PUBLISHED)

    def test_retiring_a_target_repoints_older_redirects_one_hop(self):
        third = make_article(title="Third")
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="x")
        article_retire(article=self.target, admin=self.admin, redirect_to=third, reason="y")
        self.article.refresh_from_db()
        self.assertEqual(self.article.redirect_to, third)

    def test_retiring_twice_changes_nothing(self):
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="x")
        with pytest.raises(RetirementRefused, match="already retired"):
            article_retire(article=self.article, admin=make_admin(), redirect_to=make_article(), reason="y")
        self.article.refresh_from_db()
        self.assertEqual((self.article.redirect_to, self.article.retired_by), (self.target, self.admin))

    def test_retirement_closes_an_open_rewrite(self):
        rewrite = submitted(self.article, make_editor())
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="Off thesis.")
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.REJECTED)
        self.assertIn("Article retired", rewrite.decision_reason)
        with pytest.raises(RewriteAlreadyDecided):
            rewrite_approve(rewrite=rewrite, admin=self.admin)

    def test_retirement_closes_a_private_draft_too(self):
        editor = make_editor()
        rewrite = draft(self.article, editor)
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="Off thesis.")
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.REJECTED)
        with pytest.raises(RewriteAlreadyDecided):
            rewrite_submit(rewrite=rewrite, editor=editor)

    def test_editor_may_not_retire(self):
        with pytest.raises(PermissionDenied):
            article_retire(article=self.article, admin=make_editor(), redirect_to=self.target, reason="x")

    def test_database_refuses_a_self_redirect(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=self.article.pk).update(redirect_to=self.article)


@pytest.mark.postgres
class ConcurrentApprovalTests(TransactionTestCase):
    """Two admins press "Approve" at the same moment: exactly one approval happens."""

    def test_exactly_one_of_two_concurrent_approvals_wins(self):
        article = make_article(title="Original")
        rewrite = submitted(article, make_editor())
        admins = [make_admin(), make_admin()]
        barrier = threading.Barrier(2)
        outcomes = []

        def approve(admin):
            try:
                barrier.wait(timeout=5)
                rewrite_approve(rewrite=Rewrite.objects.get(pk=rewrite.pk), admin=admin)
                outcomes.append("approved")
            except RewriteAlreadyDecided:
                outcomes.append("refused")
            finally:
                close_old_connections()

        threads = [threading.Thread(target=approve, args=(admin,)) for admin in admins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)

        self.assertEqual(sorted(outcomes), ["approved", "refused"])
        self.assertEqual(Revision.objects.filter(article=article).count(), 1)
        self.assertEqual(CorrectionEntry.objects.filter(article=article, kind="rewrite").count(), 1)
        rewrite.refresh_from_db()
        self.assertIn(rewrite.decided_by, admins)

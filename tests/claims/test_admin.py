"""The Django admin: claims get codes from claim_create; records stay append-only."""

import datetime

from django.contrib.auth.models import User
from django.test import TestCase

from claims.models import Claim, EvidenceTrigger, Verdict
from corrections.models import CorrectionEntry
from reviews.models import Review
from tests.factories import make_article, make_claim, make_correction, make_entry
from vigil.models import Event


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        # A draft: a published article's claims are read-only in the admin.
        cls.article = make_article(title="A piece with claims", status="draft", published_on=None)

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_every_changelist_loads(self):
        claim = make_claim(article=self.article)
        make_correction(article=self.article, claim=claim)
        for path in [
            "articles/article", "articles/pillar", "articles/section", "articles/revision", "articles/rewrite",
            "claims/claim", "claims/evidencetrigger", "claims/claimcodecounter",
            "reviews/review", "reviews/reminder", "reviews/editorpreference",
            "corrections/correctionentry", "corrections/signoffrequest", "corrections/errorreport",
            "dissent/dissent",
        ]:
            response = self.client.get(f"/admin/{path}/")
            self.assertEqual(response.status_code, 200, path)

    def test_claim_search_by_code(self):
        claim = make_claim(article=self.article, statement="Findable statement.")
        response = self.client.get("/admin/claims/claim/", {"q": claim.code})
        self.assertContains(response, claim.code)

    def test_claim_added_in_admin_gets_the_next_code_and_its_triggers(self):
        make_claim(article=self.article)  # AM-001
        response = self.client.post(
            "/admin/claims/claim/add/",
            {
                "article": self.article.pk,
                "statement": "Added through the admin.",
                "verdict": Verdict.HOLDING,
                "cadence_days": 45,
                "next_review_due": "2026-09-01",
                "holding_up_note": "",
                "triggers-TOTAL_FORMS": "1",
                "triggers-INITIAL_FORMS": "0",
                "triggers-MIN_NUM_FORMS": "0",
                "triggers-MAX_NUM_FORMS": "1000",
                "triggers-0-position": "0",
                "triggers-0-text": "A study that says otherwise.",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        claim = Claim.objects.get(statement="Added through the admin.")
        self.assertEqual(claim.code, "AM-002")
        self.assertEqual(list(claim.triggers.values_list("text", flat=True)), ["A study that says otherwise."])

    def test_admin_rejects_cadence_outside_30_to_90(self):
        response = self.client.post(
            "/admin/claims/claim/add/",
            {
                "article": self.article.pk, "statement": "Too slow.", "verdict": Verdict.HOLDING,
                "cadence_days": 91, "next_review_due": "2026-09-01",
                "triggers-TOTAL_FORMS": "0", "triggers-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Claim.objects.filter(statement="Too slow.").exists())

    def test_retiring_is_not_an_admin_edit(self):
        """Retirement is an action of the desk's sign-off queue: a status POSTed
        to the admin's change form is ignored."""
        article = make_article(title="To retire")
        response = self.client.post(
            f"/admin/articles/article/{article.pk}/change/",
            {
                "title": article.title, "slug": article.slug, "dek": "", "body_markdown": "Body.",
                "cover_alt": "", "section": article.section_id, "pillar": "", "status": "retired",
                "published_on": "2026-01-15", "revised_on": "", "drafted_by": "", "signed_off_by": "",
                "redirect_to": "", "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        article.refresh_from_db()
        self.assertEqual(article.status, "published")

    def test_reviews_are_read_only(self):
        claim = make_claim(article=self.article)
        review = Review.objects.create(
            claim=claim, editor=self.superuser, reviewed_on=datetime.date(2026, 6, 1),
            verdict_before=Verdict.PARTIAL, verdict_after=Verdict.HOLDING, cadence_days=60,
            next_review_due=datetime.date(2026, 7, 31), reasoning="Because.",
        )
        self.assertEqual(self.client.get("/admin/reviews/review/add/").status_code, 403)
        self.assertEqual(self.client.get(f"/admin/reviews/review/{review.pk}/delete/").status_code, 403)
        response = self.client.post(f"/admin/reviews/review/{review.pk}/change/", {"reasoning": "Rewritten."})
        self.assertEqual(response.status_code, 403)
        review.refresh_from_db()
        self.assertEqual(review.reasoning, "Because.")

    def test_correction_entries_are_never_written_or_changed_in_the_admin(self):
        """Entries are written by desk actions only (corrections.services): the
        admin's add form would be a second, unchecked path."""
        response = self.client.post(
            "/admin/corrections/correctionentry/add/",
            {
                "article": self.article.pk, "kind": CorrectionEntry.Kind.CLARIFICATION,
                "entry_on": "2026-06-01", "text": "Clarified the survey year.",
                "signoff_request-TOTAL_FORMS": "0", "signoff_request-INITIAL_FORMS": "0",
                "amendments-TOTAL_FORMS": "0", "amendments-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CorrectionEntry.objects.filter(text="Clarified the survey year.").exists())
        entry = make_entry(article=self.article, text="Clarified the survey year.")
        response = self.client.post(f"/admin/corrections/correctionentry/{entry.pk}/change/", {"text": "Changed."})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(f"/admin/corrections/correctionentry/{entry.pk}/delete/").status_code, 403)
        entry.refresh_from_db()
        self.assertEqual(entry.text, "Clarified the survey year.")


class AdminFreshnessTests(TestCase):
    """An edit in the admin refreshes cached public pages, as the services do."""

    def test_saving_an_article_in_the_admin_bumps_the_content_version(self):
        from vigil.freshness import content_version

        superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        # A draft: only drafts' text is edited in the admin.
        article = make_article(title="Old title", status="draft", published_on=None)
        self.client.force_login(superuser)
        before = content_version()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/articles/article/{article.pk}/change/",
                {
                    "title": "New title", "slug": article.slug, "dek": article.dek,
                    "body_markdown": article.body_markdown, "cover_alt": "",
                    "section": article.section_id, "pillar": "",
                    "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
                },
            )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        article.refresh_from_db()
        self.assertEqual(article.title, "New title")
        self.assertGreater(content_version(), before)


def claim_form(claim, triggers=(), **changes):
    """Every field a claim's change form would post (with its triggers inline),
    with `changes` on top."""
    data = {
        "article": claim.article_id, "statement": claim.statement, "is_primary": "on" if claim.is_primary else "",
        "cadence_days": claim.cadence_days, "holding_up_note": claim.holding_up_note,
        "assigned_editor": "",
        "triggers-TOTAL_FORMS": str(len(triggers)), "triggers-INITIAL_FORMS": str(len(triggers)),
        "triggers-MIN_NUM_FORMS": "0", "triggers-MAX_NUM_FORMS": "1000",
    }
    for n, trigger in enumerate(triggers):
        data |= {f"triggers-{n}-id": trigger.pk, f"triggers-{n}-claim": claim.pk,
                 f"triggers-{n}-position": trigger.position, f"triggers-{n}-text": trigger.text}
    return {**data, **changes}


class PublishedClaimAdminTests(TestCase):
    """A published article's claims are read-only in the admin, on the server."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        cls.claim = make_claim(
            article=make_article(title="Published piece"), statement="Agents will reduce costs.",
            holding_up_note="So far, yes.", triggers=["A large study finds no saving."],
        )
        cls.trigger = cls.claim.triggers.get()

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_a_posted_statement_note_and_trigger_leave_the_claim_unchanged(self):
        data = claim_form(
            self.claim, triggers=[self.trigger], statement="Agents will NOT reduce costs.",
            holding_up_note="Rewritten.", is_primary="on", **{"triggers-0-text": "Nothing would move it."},
        )
        response = self.client.post(f"/admin/claims/claim/{self.claim.pk}/change/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        claim = Claim.objects.get(pk=self.claim.pk)
        self.assertEqual(
            (claim.statement, claim.holding_up_note, claim.is_primary),
            ("Agents will reduce costs.", "So far, yes.", False),
        )
        self.assertEqual(list(claim.triggers.values_list("text", flat=True)), ["A large study finds no saving."])

    def test_a_crafted_new_trigger_on_a_published_claim_is_not_added(self):
        data = claim_form(self.claim, **{
            "triggers-TOTAL_FORMS": "1", "triggers-INITIAL_FORMS": "0",
            "triggers-0-position": "1", "triggers-0-text": "A silent new trigger.",
        })
        self.client.post(f"/admin/claims/claim/{self.claim.pk}/change/", data)
        self.assertFalse(EvidenceTrigger.objects.filter(text="A silent new trigger.").exists())

    def test_the_claim_form_points_to_the_desk(self):
        response = self.client.get(f"/admin/claims/claim/{self.claim.pk}/change/")
        self.assertNotContains(response, 'name="statement"')
        self.assertNotContains(response, 'name="triggers-0-text"')
        self.assertContains(response, 'href="/desk/rewrites/"')
        self.assertEqual(self.client.get(f"/admin/claims/claim/{self.claim.pk}/delete/").status_code, 403)

    def test_the_trigger_admin_leaves_a_published_trigger_unchanged(self):
        response = self.client.post(
            f"/admin/claims/evidencetrigger/{self.trigger.pk}/change/",
            {"claim": self.claim.pk, "text": "Silently changed.", "position": 3},
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.trigger.refresh_from_db()
        self.assertEqual((self.trigger.text, self.trigger.position), ("A large study finds no saving.", 0))
        self.assertEqual(self.client.get(f"/admin/claims/evidencetrigger/{self.trigger.pk}/delete/").status_code, 403)

    def test_no_trigger_or_claim_is_added_to_a_published_article(self):
        response = self.client.post(
            "/admin/claims/evidencetrigger/add/", {"claim": self.claim.pk, "text": "Added silently.", "position": 1}
        )
        self.assertContains(response, "is published", status_code=200)
        self.assertContains(response, 'href="/desk/corrections/"')
        response = self.client.post("/admin/claims/claim/add/", {
            "article": self.claim.article_id, "statement": "A silent second claim.", "verdict": Verdict.HOLDING,
            "cadence_days": 45, "next_review_due": "2026-09-01",
            "triggers-TOTAL_FORMS": "0", "triggers-INITIAL_FORMS": "0",
        })
        self.assertContains(response, "is published", status_code=200)
        self.assertFalse(Claim.objects.filter(statement="A silent second claim.").exists())
        self.assertFalse(EvidenceTrigger.objects.filter(text="Added silently.").exists())
        self.assertFalse(Event.objects.exists())


class DraftClaimAdminTests(TestCase):
    """A draft's claims stay editable, each save one event."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        cls.draft = make_article(title="Draft piece", status="draft", published_on=None)
        cls.claim = make_claim(article=cls.draft, statement="First wording.", triggers=["Old trigger."])
        cls.trigger = cls.claim.triggers.get()

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_statement_and_triggers_are_edited_with_one_event(self):
        data = claim_form(self.claim, triggers=[self.trigger], statement="Second wording.",
                          **{"triggers-0-text": "New trigger."})
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/admin/claims/claim/{self.claim.pk}/change/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.statement, "Second wording.")
        self.assertEqual(list(self.claim.triggers.values_list("text", flat=True)), ["New trigger."])
        event = Event.objects.get()
        self.assertEqual((event.action, event.actor), ("admin.change", self.superuser))
        self.assertEqual(event.keys("claim"), [self.claim.code])
        self.assertEqual(event.keys("article"), [self.draft.slug])
        self.assertIn("statement changed", event.summary)
        self.assertIn("Changed evidence trigger “New trigger.”: text", event.summary)

    def test_a_claim_added_in_the_admin_is_one_event(self):
        response = self.client.post("/admin/claims/claim/add/", {
            "article": self.draft.pk, "statement": "Another claim.", "verdict": Verdict.HOLDING,
            "cadence_days": 45, "next_review_due": "2026-09-01",
            "triggers-TOTAL_FORMS": "1", "triggers-INITIAL_FORMS": "0",
            "triggers-0-position": "0", "triggers-0-text": "Its trigger.",
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        claim = Claim.objects.get(statement="Another claim.")
        event = Event.objects.get()
        self.assertEqual(event.action, "admin.add")
        self.assertEqual(event.keys("claim"), [claim.code])
        self.assertIn("Added evidence trigger “Its trigger.”", event.summary)

    def test_deleting_triggers_in_bulk_is_one_event(self):
        second = EvidenceTrigger.objects.create(claim=self.claim, text="Second trigger.", position=1)
        response = self.client.post("/admin/claims/evidencetrigger/", {
            "action": "delete_selected", "_selected_action": [self.trigger.pk, second.pk], "post": "yes",
        })
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.claim.triggers.exists())
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("claim")), ("admin.delete", [self.claim.code]))
        self.assertIn("Deleted 2 evidence triggers", event.summary)

    def test_a_draft_claim_is_deleted_with_its_triggers_as_one_event(self):
        EvidenceTrigger.objects.create(claim=self.claim, text="Second trigger.", position=1)
        response = self.client.post(f"/admin/claims/claim/{self.claim.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Claim.objects.filter(pk=self.claim.pk).exists())
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("claim")), ("admin.delete", [self.claim.code]))

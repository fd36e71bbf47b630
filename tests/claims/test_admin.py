"""The Django admin: claims get codes from claim_create; records stay append-only."""

import datetime

from django.contrib.auth.models import User
from django.test import TestCase

from claims.models import Claim, Verdict
from corrections.models import CorrectionEntry
from reviews.models import Review
from tests.factories import make_entry, make_article, make_claim, make_correction


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        cls.article = make_article(title="A piece with claims")

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

    def test_retiring_without_a_redirect_is_a_form_error_not_a_crash(self):
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
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errornote")
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
        article = make_article(title="Old title")
        self.client.force_login(superuser)
        before = content_version()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/articles/article/{article.pk}/change/",
                {
                    "title": "New title", "slug": article.slug, "dek": article.dek,
                    "body_markdown": article.body_markdown, "cover_alt": "",
                    "section": article.section_id, "pillar": "", "status": "published",
                    "published_on": "2026-01-15", "revised_on": "", "drafted_by": "", "signed_off_by": "",
                    "redirect_to": "",
                    "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
                },
            )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        article.refresh_from_db()
        self.assertEqual(article.title, "New title")
        self.assertGreater(content_version(), before)

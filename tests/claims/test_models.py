"""Invariants the database holds itself: each is rejected with IntegrityError on a
plain save or bulk_create, bypassing forms and services."""

import datetime

from django.db import DataError, IntegrityError, transaction
from django.test import TestCase

from articles.models import Article, Rewrite
from claims.models import Claim, ClaimCodeCounter, Verdict
from claims.services import claim_code_allocate
from corrections.models import CorrectionEntry
from reviews.models import Review
from tests.factories import make_article, make_claim, make_editor

DUE = datetime.date(2026, 9, 1)


def raw_claim(article, **fields):
    fields.setdefault("code", "ZZ-001")
    fields.setdefault("statement", "A statement.")
    fields.setdefault("verdict", Verdict.HOLDING)
    fields.setdefault("next_review_due", DUE)
    return Claim(article=article, **fields)


class ClaimInvariantTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article()

    def assertRejected(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_duplicate_claim_code_rejected(self):
        raw_claim(self.article, code="ZZ-001").save()
        self.assertRejected(lambda: raw_claim(self.article, code="ZZ-001").save())
        self.assertRejected(lambda: Claim.objects.bulk_create([raw_claim(self.article, code="ZZ-001")]))

    def test_short_form_of_75_characters_rejected(self):
        raw_claim(self.article, code="ZZ-002", short_statement="x" * 74).save()
        # PostgreSQL's varchar refuses it first (DataError); SQLite holds no length but the check.
        with self.assertRaises((IntegrityError, DataError)), transaction.atomic():
            Claim.objects.bulk_create([raw_claim(self.article, short_statement="x" * 75)])

    def test_cadence_29_rejected(self):
        self.assertRejected(lambda: raw_claim(self.article, cadence_days=29).save())

    def test_cadence_91_rejected(self):
        self.assertRejected(lambda: Claim.objects.bulk_create([raw_claim(self.article, cadence_days=91)]))

    def test_cadence_30_and_90_accepted(self):
        raw_claim(self.article, code="ZZ-030", cadence_days=30).save()
        raw_claim(self.article, code="ZZ-090", cadence_days=90).save()
        self.assertEqual(Claim.objects.count(), 2)

    def test_bad_verdict_rejected(self):
        self.assertRejected(lambda: raw_claim(self.article, verdict="mostly").save())

    def test_update_to_bad_verdict_rejected(self):
        claim = make_claim(article=self.article)
        self.assertRejected(lambda: Claim.objects.filter(pk=claim.pk).update(verdict="unclear"))

    def test_second_primary_claim_rejected(self):
        raw_claim(self.article, code="ZZ-001", is_primary=True).save()
        self.assertRejected(lambda: raw_claim(self.article, code="ZZ-002", is_primary=True).save())

    def test_many_secondary_claims_allowed(self):
        raw_claim(self.article, code="ZZ-001", is_primary=True).save()
        raw_claim(self.article, code="ZZ-002").save()
        raw_claim(self.article, code="ZZ-003").save()
        self.assertEqual(self.article.claims.count(), 3)


class ClaimCodeTests(TestCase):
    def test_codes_are_prefix_and_zero_padded_sequence(self):
        with self.settings(VIGIL={"CLAIM_CODE_PREFIX": "AM", "CLAIM_CODE_DIGITS": 3}):
            first = make_claim()
            second = make_claim()
        self.assertEqual((first.code, second.code), ("AM-001", "AM-002"))

    def test_prefix_is_configurable(self):
        self.assertEqual(claim_code_allocate(prefix="VG"), "VG-001")

    def test_code_never_reused_after_the_claim_is_deleted(self):
        claim = make_claim()
        code = claim.code
        claim.triggers.all().delete()
        claim.delete()
        self.assertFalse(Claim.objects.filter(code=code).exists())
        replacement = make_claim()
        self.assertNotEqual(replacement.code, code)
        self.assertGreater(int(replacement.code.split("-")[1]), int(code.split("-")[1]))

    def test_counter_only_moves_forward(self):
        make_claim()
        make_claim()
        counter = ClaimCodeCounter.objects.get(prefix="AM")
        self.assertEqual(counter.last_number, 2)


class ArticleInvariantTests(TestCase):
    def assertRejected(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_retired_without_redirect_rejected(self):
        article = make_article()
        article.status = Article.Status.RETIRED
        self.assertRejected(article.save)

    def test_redirect_to_self_rejected(self):
        article = make_article()
        article.redirect_to = article
        self.assertRejected(article.save)

    def test_retired_with_redirect_accepted(self):
        target = make_article()
        article = make_article(status=Article.Status.RETIRED, redirect_to=target)
        self.assertEqual(article.redirect_to, target)

    def test_published_without_date_rejected(self):
        self.assertRejected(lambda: make_article(published_on=None))

    def test_second_open_rewrite_rejected(self):
        article = make_article()
        editor = make_editor()
        Rewrite.objects.create(article=article, title="a", body_markdown="a", reader_note="a", drafted_by=editor)
        self.assertRejected(
            lambda: Rewrite.objects.bulk_create(
                [Rewrite(article=article, title="b", body_markdown="b", reader_note="b", drafted_by=editor)]
            )
        )

    def test_new_rewrite_allowed_after_the_open_one_is_decided(self):
        article = make_article()
        editor = make_editor()
        first = Rewrite.objects.create(article=article, title="a", body_markdown="a", reader_note="a", drafted_by=editor)
        first.status = Rewrite.Status.REJECTED
        first.save()
        Rewrite.objects.create(article=article, title="b", body_markdown="b", reader_note="b", drafted_by=editor)
        self.assertEqual(article.rewrites.open().count(), 1)


class ReviewAndLogInvariantTests(TestCase):
    def assertRejected(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def review(self, **fields):
        claim = fields.pop("claim", None) or make_claim()
        values = dict(
            claim=claim, editor=make_editor(), reviewed_on=datetime.date(2026, 6, 1),
            verdict_before=Verdict.PARTIAL, verdict_after=Verdict.HOLDING, cadence_days=60,
            next_review_due=datetime.date(2026, 7, 31), reasoning="Because.",
        )
        values.update(fields)
        return Review(**values)

    def test_review_cadence_outside_30_to_90_rejected(self):
        self.assertRejected(lambda: Review.objects.bulk_create([self.review(cadence_days=29)]))
        self.assertRejected(lambda: Review.objects.bulk_create([self.review(cadence_days=91)]))

    def test_review_bad_verdict_rejected(self):
        self.assertRejected(lambda: Review.objects.bulk_create([self.review(verdict_after="maybe")]))

    def test_correction_kind_outside_the_list_rejected(self):
        article = make_article()
        self.assertRejected(
            lambda: CorrectionEntry.objects.bulk_create(
                [CorrectionEntry(article=article, kind="retraction", entry_on=DUE, text="x")]
            )
        )

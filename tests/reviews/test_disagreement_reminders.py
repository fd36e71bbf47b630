"""A disagreement between a review and its blind second review reaches the
admins' digest (the reminder job), once, until an admin settles it; not
only the /desk/second-reviews/ page."""

import datetime

import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase, override_settings

from claims.models import Verdict
from reviews import reminders
from reviews.models import Reminder
from reviews.services import review_record, second_review_record, second_review_settle
from tests.factories import make_admin, make_claim, make_editor

NOW = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
EVERY_REVIEW = override_settings(VIGIL={**settings.VIGIL, "SECOND_REVIEW_PERCENT": 100})


def to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


@time_machine.travel(NOW, tick=False)
@EVERY_REVIEW
class DisagreementDigestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = make_editor(first_name="Edith", last_name="Marsh")
        cls.second = make_editor(first_name="Omar", last_name="Field")
        cls.admin = make_admin(first_name="Peter", last_name="Hale")

    def reviewed(self, statement, *, second_verdict):
        claim = make_claim(statement=statement, triggers=["A replication."])
        review = review_record(
            claim=claim, editor=self.first, verdict=Verdict.HOLDING, cadence_days=60, reasoning="It held."
        )
        second = review.second_review
        self.assertEqual(second.reviewer, self.second)
        second_review_record(
            second_review=second, editor=self.second, verdict=second_verdict, reasoning="My own reading."
        )
        mail.outbox.clear()
        return claim, second

    def test_the_admins_digest_lists_each_disagreement_once_until_settled(self):
        claim, second = self.reviewed("Models reason.", second_verdict=Verdict.NOT_HOLDING)
        self.reviewed("Agreed on.", second_verdict=Verdict.HOLDING)  # agreement: nothing to settle

        reminders.reminders_run()
        [digest] = to(self.admin)
        self.assertIn("1 disagreement to settle", digest.subject)
        self.assertNotIn("claims to review", digest.subject)
        self.assertIn("DISAGREEMENTS TO SETTLE", digest.body)
        self.assertIn(
            f"- {claim.code}: Edith Marsh said Holding, Omar Field said Not holding (blind, 4 May 2026)",
            digest.body,
        )
        self.assertIn(f"Settle: {settings.SITE_URL}/desk/second-reviews/{second.pk}/", digest.body)
        self.assertNotIn("Agreed on.", digest.body)
        html = digest.alternatives[0][0]
        self.assertIn("Omar Field said <strong>Not holding</strong>", html)
        # Editors review claims; settling is the admins'.
        self.assertEqual(to(self.first) + to(self.second), [])

        mail.outbox.clear()
        reminders.reminders_run()
        self.assertEqual(to(self.admin), [], "announced once, however often the job runs")

    def test_a_disagreement_settled_before_the_digest_goes_is_not_announced(self):
        claim, second = self.reviewed("Models reason.", second_verdict=Verdict.PARTIAL)
        reminders.reminders_ledger()
        self.assertTrue(Reminder.objects.filter(claim=claim, stage=Reminder.Stage.DISAGREED).exists())
        second_review_settle(second_review=second, admin=self.admin, verdict=Verdict.PARTIAL, reasoning="Partly.")
        mail.outbox.clear()
        reminders.reminders_run()
        self.assertEqual(to(self.admin), [])

    def test_an_admins_digest_keeps_the_claims_to_review_beside_it(self):
        claim, _ = self.reviewed("Models reason.", second_verdict=Verdict.NOT_HOLDING)
        overdue = make_claim(next_review_due=NOW.date() - datetime.timedelta(days=3), assigned_editor=self.admin)
        reminders.reminders_run()
        [digest] = to(self.admin)
        self.assertIn("1 claim to review, 1 disagreement to settle", digest.subject)
        self.assertIn("1 claim needs your review.", digest.body)
        self.assertIn(f"- {overdue.code} (overdue 3d", digest.body)
        self.assertIn(f"- {claim.code}: Edith Marsh said Holding", digest.body)

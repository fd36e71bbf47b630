"""Escalation: a claim overdue by more than VIGIL["ESCALATE_AFTER_DAYS"] (14)
reaches the admins' digest and the top of their queue, with who owns it."""

import datetime

import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from claims.models import Claim
from reviews import reminders
from reviews.models import Reminder
from tests.factories import make_admin, make_claim, make_editor

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@time_machine.travel(NOW, tick=False)
class EscalationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin(first_name="Peter", last_name="Hale")
        cls.editor = make_editor(first_name="Edith", last_name="Marsh")

    def test_after_the_threshold_and_not_before(self):
        at_threshold = make_claim(next_review_due=days(-14), assigned_editor=self.editor)
        past = make_claim(next_review_due=days(-15), assigned_editor=self.editor)
        self.assertEqual(list(Claim.objects.escalated()), [past])
        reminders.reminders_ledger()
        self.assertEqual(
            set(Reminder.objects.filter(stage="escalated").values_list("claim_id", flat=True)), {past.pk}
        )
        self.assertTrue(Reminder.objects.filter(claim=at_threshold, stage="overdue").exists())

    def test_the_admins_digest_names_it_and_who_owns_it(self):
        past = make_claim(next_review_due=days(-20), assigned_editor=self.editor)
        unowned = make_claim(next_review_due=days(-30))
        reminders.reminders_run()
        to_admin = [m for m in mail.outbox if m.to == [self.admin.email]]
        self.assertEqual(len(to_admin), 1)
        body = to_admin[0].body
        self.assertIn("ESCALATED: OVERDUE MORE THAN 14 DAYS", body)
        self.assertIn(f"- {past.code} (overdue 20d, due 10 Feb 2026), owned by Edith Marsh", body)
        self.assertIn(f"- {unowned.code} (overdue 30d, due 31 Jan 2026), owned by nobody (unassigned)", body)
        self.assertIn("2 escalated", to_admin[0].subject)
        html = to_admin[0].alternatives[0][0]
        self.assertIn("Escalated: overdue more than 14 days", html)
        # The owner is told as before, once: escalation goes to the admins.
        to_editor = [m for m in mail.outbox if m.to == [self.editor.email]]
        self.assertEqual(len(to_editor), 1)
        self.assertNotIn("ESCALATED", to_editor[0].body)
        mail.outbox.clear()
        reminders.reminders_run()
        self.assertEqual(mail.outbox, [])  # once per due date and stage

    @override_settings(VIGIL={**settings.VIGIL, "ESCALATE_AFTER_DAYS": 3})
    def test_the_threshold_is_a_setting(self):
        late = make_claim(next_review_due=days(-4))
        self.assertEqual(list(Claim.objects.escalated()), [late])

    def test_top_of_an_admins_queue_whatever_the_filters(self):
        past = make_claim(next_review_due=days(-20), assigned_editor=self.editor)
        make_claim(next_review_due=days(-3))
        self.client.force_login(self.admin)
        response = self.client.get(reverse("reviews:queue"), {"editor": "unassigned"})
        content = response.content.decode()
        self.assertIn("Escalated: overdue more than 14 days", content)
        escalated = content[content.index('id="escalated-title"') : content.index('id="queue-table"')]
        self.assertIn(past.code, escalated)
        self.assertIn("owned by Edith Marsh", escalated)
        self.assertLess(content.index("Escalated:"), content.index('id="queue-table"'))

    def test_not_in_an_editors_queue(self):
        make_claim(next_review_due=days(-20))
        self.client.force_login(self.editor)
        self.assertNotContains(self.client.get(reverse("reviews:queue")), "Escalated:")

    def test_admins_queue_query_count_is_fixed(self):
        for n in range(30):
            make_claim(next_review_due=days(-15 - n), assigned_editor=make_editor())
        self.client.force_login(self.admin)
        # As an editor's queue (tests/reviews/test_views.py: 10), plus the escalated claims.
        with self.assertNumQueries(11):
            response = self.client.get(reverse("reviews:queue"))
        self.assertContains(response, "More than 20 escalated")

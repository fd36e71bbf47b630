import datetime

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase

from claims.services import TriggerAlreadyFired, claim_assign, trigger_fire
from reviews.queue import review_queue
from tests.factories import make_claim, make_editor, make_user
from vigil.freshness import content_version

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


@time_machine.travel(NOW, tick=False)
class TriggerFireTests(TestCase):
    def setUp(self):
        self.editor = make_editor()

    def test_fired_trigger_makes_the_claim_due_now_and_rise_in_the_queue(self):
        later = make_claim(
            next_review_due=TODAY + datetime.timedelta(days=40), triggers=["Prices rise."]
        )
        soon = make_claim(next_review_due=TODAY + datetime.timedelta(days=3))
        overdue = make_claim(next_review_due=TODAY - datetime.timedelta(days=2))
        self.assertNotIn(later, review_queue(on=TODAY))

        version = content_version()
        with self.captureOnCommitCallbacks(execute=True):
            trigger = trigger_fire(
                trigger=later.triggers.get(),
                editor=self.editor,
                note="The index rose again.",
                url="https://example.org/index",
            )
        later.refresh_from_db()
        self.assertEqual(later.next_review_due, TODAY)
        self.assertEqual(trigger.fired_by, self.editor)
        self.assertEqual(trigger.fired_at, NOW)
        self.assertEqual(trigger.fired_note, "The index rose again.")
        self.assertEqual(list(review_queue(on=TODAY)), [overdue, later, soon])
        self.assertGreater(content_version(), version)

    def test_an_overdue_claim_keeps_its_earlier_due_date(self):
        claim = make_claim(
            next_review_due=TODAY - datetime.timedelta(days=9), triggers=["Prices rise."]
        )
        trigger_fire(trigger=claim.triggers.get(), editor=self.editor, note="Again.")
        claim.refresh_from_db()
        self.assertEqual(claim.next_review_due, TODAY - datetime.timedelta(days=9))

    def test_a_trigger_fires_once(self):
        claim = make_claim(triggers=["Prices rise."])
        trigger_fire(trigger=claim.triggers.get(), editor=self.editor, note="Once.")
        with self.assertRaises(TriggerAlreadyFired):
            trigger_fire(trigger=claim.triggers.get(), editor=make_editor(), note="Twice.")
        self.assertEqual(claim.triggers.get().fired_note, "Once.")


class ClaimAssignTests(TestCase):
    def test_assigns_and_unassigns_an_editor(self):
        claim = make_claim()
        editor, boss = make_editor(), make_editor()
        claim_assign(claim=claim, editor=editor, assigned_by=boss)
        claim.refresh_from_db()
        self.assertEqual(claim.assigned_editor, editor)
        claim_assign(claim=claim, editor=None, assigned_by=boss)
        claim.refresh_from_db()
        self.assertIsNone(claim.assigned_editor)

    def test_only_editors_can_own_a_claim(self):
        claim = make_claim()
        with self.assertRaises(ValidationError):
            claim_assign(claim=claim, editor=make_user(), assigned_by=make_editor())
        claim.refresh_from_db()
        self.assertIsNone(claim.assigned_editor)

"""dissent/services.py: the rules hold for every caller, not only the form."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from articles.models import Article
from corrections.models import CorrectionEntry
from dissent.models import Dissent
from dissent.services import (
    DissentAlreadyWeighed,
    DissentRefused,
    dissent_reject,
    dissent_submit,
    dissent_weigh,
)
from tests.factories import make_article, make_claim, make_editor

from .helpers import ARGUMENT


class DissentSubmitTests(TestCase):
    def setUp(self):
        self.claim = make_claim()

    def test_stores_and_notifies_editors_inside_the_transaction(self):
        with mock.patch("dissent.services.notify_editors") as notify:
            dissent = dissent_submit(claim=self.claim, argument=ARGUMENT)
        notify.assert_called_once_with(event="dissent_received", object_id=dissent.pk)

    def test_consent_without_a_name_is_not_credit(self):
        dissent = dissent_submit(claim=self.claim, argument=ARGUMENT, consent_to_credit=True)
        self.assertFalse(dissent.consent_to_credit)
        self.assertIsNone(dissent.credit)

    def test_refuses_a_claim_of_an_unpublished_article(self):
        Article.objects.filter(pk=self.claim.article_id).update(status=Article.Status.DRAFT)
        self.claim.refresh_from_db()
        with self.assertRaises(DissentRefused) as refused:
            dissent_submit(claim=self.claim, argument=ARGUMENT)
        self.assertEqual(refused.exception.field, "claim")
        self.assertFalse(Dissent.objects.exists())

    def test_refuses_bad_sources_and_lengths(self):
        for kwargs in (
            {"argument": "too short"},
            {"argument": ARGUMENT, "sources": ["javascript:alert(1)"]},
            {"argument": ARGUMENT, "sources": [f"https://example.org/{n}" for n in range(11)]},
        ):
            with self.assertRaises(ValidationError):
                dissent_submit(claim=self.claim, **kwargs)
        self.assertFalse(Dissent.objects.exists())

    def test_refuses_a_repeat(self):
        dissent_submit(claim=self.claim, argument=ARGUMENT)
        with self.assertRaises(DissentRefused):
            dissent_submit(claim=make_claim(), argument=f"  {ARGUMENT.lower()} ")
        self.assertEqual(Dissent.objects.count(), 1)

    def test_acknowledgement_is_an_outbox_row_of_the_same_transaction(self):
        """Nothing is handed to the broker inside the action: with the broker
        down the dissent and its receipt are stored together, the receipt sent later."""
        from vigil.models import OutboxMessage

        dissent_submit(claim=self.claim, argument=ARGUMENT, email="a@example.org")
        self.assertEqual(Dissent.objects.count(), 1)
        row = OutboxMessage.objects.get(kind="dissent_acknowledged")
        self.assertEqual((row.recipient, row.sent_at), ("a@example.org", None))


class DissentWeighAndRejectTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article()
        self.claim = make_claim(article=self.article)

    def dissent(self, **kwargs):
        kwargs.setdefault("argument", ARGUMENT)
        return dissent_submit(claim=self.claim, **kwargs)

    def test_material_credited_dissent_writes_a_credited_entry(self):
        dissent = dissent_weigh(
            dissent=self.dissent(name="Ada Reader", consent_to_credit=True),
            material=True, editor=self.editor, note="The later surveys matter.",
        )
        entry = dissent.correction_entry
        self.assertEqual(entry.kind, CorrectionEntry.Kind.MATERIAL_DISSENT)
        self.assertIn("from Ada Reader", entry.text)
        self.assertIn("The later surveys matter.", entry.text)

    def test_material_uncredited_dissent_writes_no_name(self):
        dissent = dissent_weigh(
            dissent=self.dissent(name="Ada Reader", email="ada@example.org"), material=True, editor=self.editor
        )
        self.assertIn("from a reader", dissent.correction_entry.text)
        self.assertNotIn("Ada", dissent.correction_entry.text)
        self.assertNotIn("ada@example.org", dissent.correction_entry.text)

    def test_not_material_writes_no_entry(self):
        dissent = dissent_weigh(dissent=self.dissent(), material=False, editor=self.editor)
        self.assertEqual(dissent.status, Dissent.Status.NOT_MATERIAL)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_reject_as_spam(self):
        dissent = dissent_reject(dissent=self.dissent(), editor=self.editor, note="Advertising.")
        self.assertEqual(dissent.status, Dissent.Status.REJECTED)
        self.assertIsNotNone(dissent.weighed_at)
        self.assertEqual(dissent.weighed_by, self.editor)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_an_item_is_weighed_once(self):
        dissent = self.dissent()
        dissent_reject(dissent=dissent, editor=self.editor)
        with pytest.raises(DissentAlreadyWeighed):
            dissent_weigh(dissent=dissent, material=True, editor=self.editor)
        with pytest.raises(DissentAlreadyWeighed):
            dissent_reject(dissent=dissent, editor=self.editor)

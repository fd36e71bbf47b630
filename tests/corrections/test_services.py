import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import TestCase

from corrections.models import Amendment, CorrectionEntry, SignOffRequest
from corrections.services import (
    CorrectionLogRefused,
    SignOffAlreadyAnswered,
    correction_entry_amend,
    signoff_answer,
)
from tests.factories import make_entry, make_admin, make_article, make_correction, make_editor

FROZEN = datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(FROZEN, tick=False)
class CorrectionEntryAmendTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.entry = make_correction(article=make_article(), text="The survey had 1,200 respondents.")

    def test_amendment_replaces_text_and_keeps_the_old_one(self):
        amendment = correction_entry_amend(
            entry=self.entry, new_text="The survey had 1,020 respondents.", reason="Typo in the figure.", admin=self.admin
        )
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.text, "The survey had 1,020 respondents.")
        self.assertEqual(amendment.previous_text, "The survey had 1,200 respondents.")
        self.assertEqual(amendment.amended_by, self.admin)
        self.assertEqual(amendment.amended_at, FROZEN)

    def test_editor_may_not_amend(self):
        with pytest.raises(PermissionDenied):
            correction_entry_amend(entry=self.entry, new_text="New.", reason="Why.", admin=make_editor())
        self.assertFalse(Amendment.objects.exists())

    def test_amendment_needs_a_reason_and_a_change(self):
        with pytest.raises(CorrectionLogRefused):
            correction_entry_amend(entry=self.entry, new_text="New text.", reason="  ", admin=self.admin)
        with pytest.raises(CorrectionLogRefused):
            correction_entry_amend(entry=self.entry, new_text=self.entry.text, reason="No-op.", admin=self.admin)
        self.assertFalse(Amendment.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class SignOffRequestLifecycleTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.entry = make_entry(
            article=make_article(),
            kind=CorrectionEntry.Kind.REWRITE,
            text="Rewritten from the migrated original.",
            created_by=make_editor(),
            signoff_question="REVIEW: assess whether the reframing fits editorial scope.",
            signoff_addressed_to=self.admin,
        )
        self.request = self.entry.signoff_request

    def test_request_is_open_until_answered(self):
        self.assertTrue(self.request.is_open)
        self.assertEqual(list(SignOffRequest.objects.open()), [self.request])

    def test_answer_records_answer_who_and_when_and_closes_it(self):
        signoff_answer(request=self.request, answer="It fits; keep it.", admin=self.admin)
        self.request.refresh_from_db()
        self.assertFalse(self.request.is_open)
        self.assertEqual(self.request.answer, "It fits; keep it.")
        self.assertEqual(self.request.answered_by, self.admin)
        self.assertEqual(self.request.answered_at, FROZEN)
        self.assertFalse(SignOffRequest.objects.open().exists())

    def test_second_answer_changes_nothing_and_says_so(self):
        signoff_answer(request=self.request, answer="First answer.", admin=self.admin)
        with pytest.raises(SignOffAlreadyAnswered, match="already answered"):
            signoff_answer(request=self.request, answer="Second answer.", admin=make_admin())
        self.request.refresh_from_db()
        self.assertEqual(self.request.answer, "First answer.")
        self.assertEqual(self.request.answered_by, self.admin)

    def test_editor_may_not_answer(self):
        with pytest.raises(PermissionDenied):
            signoff_answer(request=self.request, answer="Yes.", admin=make_editor())
        self.request.refresh_from_db()
        self.assertTrue(self.request.is_open)

    def test_empty_answer_is_refused(self):
        with pytest.raises(CorrectionLogRefused):
            signoff_answer(request=self.request, answer="   ", admin=self.admin)

    def test_database_refuses_an_answered_request_without_answer(self):
        self.request.answered_at = FROZEN
        with pytest.raises(IntegrityError), transaction.atomic():
            self.request.save()

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from corrections.models import CorrectionEntry
from tests.factories import make_article, make_correction


class CorrectionEntryAppendOnlyTests(TestCase):
    def setUp(self):
        self.entry = make_correction(article=make_article())

    def test_saving_a_changed_entry_is_refused(self):
        self.entry.text = "Quietly rewritten."
        with pytest.raises(ValidationError):
            self.entry.save()
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.text, "Clarified which survey the figure comes from.")

    def test_deleting_an_entry_is_refused(self):
        with pytest.raises(ValidationError):
            self.entry.delete()
        self.assertTrue(CorrectionEntry.objects.filter(pk=self.entry.pk).exists())

    def test_queryset_update_is_refused(self):
        with pytest.raises(ValidationError):
            CorrectionEntry.objects.filter(pk=self.entry.pk).update(text="Bulk edit.")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.text, "Clarified which survey the figure comes from.")

    def test_queryset_delete_is_refused(self):
        with pytest.raises(ValidationError):
            CorrectionEntry.objects.all().delete()
        self.assertEqual(CorrectionEntry.objects.count(), 1)

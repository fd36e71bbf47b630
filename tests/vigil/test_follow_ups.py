"""What is committed is reported as committed, and reaches readers
(vigil.actions: after-commit work; vigil.pagecache: the safety TTL). The
failing-Redis half is in test_cache_faults.py, against a real Redis."""

import datetime

import time_machine
from django.test import TestCase, override_settings
from django.urls import reverse

from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_article, make_claim, make_editor
from vigil.pagecache import forget_local_state

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


# Local memory, whose expiry follows the frozen clock (Redis keeps its own time).
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ttl"}}


@override_settings(
    CACHES=LOCAL_CACHE, VIGIL_PAGE_CACHE=True, VIGIL_PAGE_CACHE_LOCAL_SECONDS=0,
    VIGIL_PAGE_CACHE_SECONDS=300,
)
class SafetyTtlTests(TestCase):
    def setUp(self):
        forget_local_state()
        self.article = make_article()
        self.claim = make_claim(article=self.article, is_primary=True, verdict=Verdict.PARTIAL)
        self.url = reverse("articles:detail", kwargs={"slug": self.article.slug})

    def test_a_change_whose_bump_was_lost_shows_within_the_safety_ttl(self):
        """A worker killed between commit and cache bump: the hooks never ran."""
        with time_machine.travel(NOW, tick=False):
            self.client.get(self.url)
            self.assertContains(self.client.get(self.url), "badge--partial")
            with self.captureOnCommitCallbacks(execute=False):
                review_record(
                    claim=self.claim, editor=make_editor(), verdict=Verdict.HOLDING,
                    cadence_days=60, reasoning="Two new surveys agree.",
                )
            self.assertContains(self.client.get(self.url), "badge--partial")  # stale, for now
        with time_machine.travel(NOW + datetime.timedelta(seconds=301), tick=False):
            self.assertContains(self.client.get(self.url), "badge--holding")

"""Redis is a cache and a broker, never a single point of failure (vigil/cache.py).

Each test runs the site against a Redis of its own (tests/private_redis.py) as
cache and broker, with the page and fragment caches on, and breaks it: stopped
(refused) or paused with SIGSTOP (hung). Readers' pages, the dissent form, an
editor's review and the API still answer, within 2 s each.
"""

import datetime
import logging
import time

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from claims.models import Verdict
from dissent.models import Dissent
from tests.dissent.helpers import ARGUMENT, dissent_post
from tests.factories import make_article, make_claim, make_correction, make_editor, make_pillar
from tests.private_redis import PrivateRedis, needs_redis_server
from vigil import cache as resilient
from vigil.celery import app as celery_app
from vigil.actions import follow_ups_retry
from vigil.models import FollowUpRetry, OutboxMessage
from vigil.pagecache import forget_local_state
from vigil.settings import redis_caches

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
BUDGET_SECONDS = 2.0
LIMITS = {**settings.PUBLIC_FORMS, "RATE_LIMIT": 3}


@needs_redis_server
@time_machine.travel(NOW, tick=True)
class RedisFaultCase(TestCase):
    """Shared set-up: a publication on a private Redis; subclasses say how it breaks."""

    __test__ = False

    @classmethod
    def setUpClass(cls):
        cls.redis = PrivateRedis().start()
        cls.settings_override = override_settings(
            CACHES=redis_caches(cls.redis.url),
            VIGIL_PAGE_CACHE=True,
            VIGIL_FRAGMENT_CACHE_SECONDS=3600,
            VIGIL_PAGE_CACHE_LOCAL_SECONDS=0,
            PUBLIC_FORMS=LIMITS,
        )
        cls.settings_override.enable()
        # The broker too: a reader's dissent must not wait on it.
        cls.celery_conf = {
            "broker_url": celery_app.conf.broker_url,
            "task_always_eager": celery_app.conf.task_always_eager,
        }
        celery_app.conf.update(broker_url=cls.redis.url, task_always_eager=False)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        celery_app.conf.update(cls.celery_conf)
        cls.settings_override.disable()
        cls.redis.close()

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(
            title="What the survey shows", slug="what-the-survey-shows", pillar=make_pillar()
        )
        cls.claim = make_claim(
            article=cls.article, is_primary=True, verdict=Verdict.PARTIAL,
            next_review_due=datetime.date(2026, 2, 20), triggers=["A new survey."],
        )
        make_correction(article=cls.article)
        cls.editor = make_editor()

    def setUp(self):
        if self.redis.process is None:
            self.redis.start()
        resilient.forget_outages()
        forget_local_state()
        cache.clear()
        self.addCleanup(self.mend)
        # Warm the caches while Redis works, so the break is felt where it hurts.
        for url in self.public_urls():
            self.client.get(url)
        self.break_redis()
        forget_local_state()

    def break_redis(self):
        raise NotImplementedError

    def mend(self):
        if self.redis.process is None:
            self.redis.start()
        else:
            self.redis.resume()
        resilient.forget_outages()

    def public_urls(self):
        article, code = self.article.slug, self.claim.code
        return [
            reverse("articles:home"),
            reverse("articles:detail", kwargs={"slug": article}),
            reverse("reviews:claim", kwargs={"code": code}),
            reverse("claims:ledger"),
            reverse("articles:pillars"),
            reverse("articles:pillar", kwargs={"slug": self.article.pillar.slug}),
            reverse("articles:section", kwargs={"slug": self.article.section.slug}),
            reverse("articles:method"),
            reverse("corrections:log"),
            reverse("corrections:policy"),
            reverse("corrections:report"),
            reverse("claims:search") + "?q=survey",
            reverse("dissent:submit", kwargs={"slug": article}),
            "/feeds/articles.atom",
            "/feeds/verdicts.atom",
            "/feeds/corrections.rss",
            reverse("api:claims"),
            reverse("api:claim", kwargs={"code": code}),
            "/sitemap.xml",
        ]

    def timed(self, call, *args, **kwargs):
        started = time.monotonic()
        response = call(*args, **kwargs)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, BUDGET_SECONDS, f"{args[0]} took {elapsed:.2f} s")
        return response

    def post_dissent(self, n=0, forwarded="203.0.113.7"):
        url = reverse("dissent:submit", kwargs={"slug": self.article.slug})
        data = dissent_post(self.claim, argument=f"Submission {n}. {ARGUMENT}")
        return self.timed(self.client.post, url, data, REMOTE_ADDR=forwarded)

    # What every broken Redis must still allow ---------------------------------

    def test_every_public_page_answers(self):
        for url in self.public_urls():
            response = self.timed(self.client.get, url)
            self.assertEqual(response.status_code, 200, url)

    def test_dissent_is_stored_and_its_notice_waits_in_the_outbox(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post_dissent()
        self.assertEqual(response.status_code, 302)
        dissent = Dissent.objects.get()
        self.assertEqual(dissent.claim, self.claim)
        self.assertTrue(OutboxMessage.objects.filter(sent_at__isnull=True).exists())

    def test_review_is_saved_and_reported_saved(self):
        self.client.force_login(self.editor)
        url = reverse("reviews:review", kwargs={"code": self.claim.code})
        self.assertEqual(self.timed(self.client.get, url).status_code, 200)
        form = {"verdict": "holding", "cadence_days": "60", "reasoning": "Two new surveys agree."}
        with self.captureOnCommitCallbacks(execute=True):
            response = self.timed(self.client.post, url, form)
        self.assertRedirects(response, reverse("reviews:queue"), fetch_redirect_response=False)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, Verdict.HOLDING)
        queue = self.timed(self.client.get, reverse("reviews:queue"))
        self.assertContains(queue, f"Review of {self.claim.code} saved.")

    def test_a_review_saved_meanwhile_reaches_readers_once_redis_is_back(self):
        """The cache could not hear of the review: the bump is kept and retried."""
        article = reverse("articles:detail", kwargs={"slug": self.article.slug})
        self.assertContains(self.client.get(article), "badge--partial")
        editor = self.client_class()
        editor.force_login(self.editor)
        url = reverse("reviews:review", kwargs={"code": self.claim.code})
        form = {"verdict": "holding", "cadence_days": "60", "reasoning": "Two new surveys agree."}
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.timed(editor.post, url, form).status_code, 302)
        # The purge of the review's tags and the ETags' version: both kept.
        self.assertEqual(
            set(FollowUpRetry.objects.values_list("hook", flat=True)),
            {"vigil.purgers.purge_event", "vigil.freshness.content_changed"},
        )
        self.assertEqual(follow_ups_retry(), (0, 0), "not due yet")

        self.mend()
        forget_local_state()
        self.assertEqual(follow_ups_retry(now=timezone.now() + datetime.timedelta(minutes=1)), (2, 0))
        self.assertFalse(FollowUpRetry.objects.exists())
        page = self.client.get(article)
        self.assertContains(page, "badge--holding")
        self.assertNotContains(page, "badge--partial")

    def test_the_rate_limit_still_refuses_a_burst(self):
        statuses = [self.post_dissent(n).status_code for n in range(LIMITS["RATE_LIMIT"] + 2)]
        self.assertEqual(statuses, [302] * LIMITS["RATE_LIMIT"] + [429, 429])

    def test_the_outage_is_logged_once_not_per_call(self):
        with self.assertLogs("vigil.cache", logging.WARNING) as logs:
            for url in self.public_urls()[:5]:
                self.client.get(url)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("cache unavailable", logs.output[0])


class RedisStoppedTests(RedisFaultCase):
    __test__ = True

    def break_redis(self):
        self.redis.stop()


class RedisPausedTests(RedisFaultCase):
    """SIGSTOP: the kernel accepts connections, nothing ever answers."""

    __test__ = True

    def break_redis(self):
        self.redis.pause()

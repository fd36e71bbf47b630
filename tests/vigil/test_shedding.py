"""Load shedding (vigil/shedding.py): a request that waited past its deadline
is answered 503 with Retry-After at once, touching nothing."""

import time

from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from tests.factories import make_article
from vigil.shedding import waited_seconds


class WaitedSecondsTests(SimpleTestCase):
    NOW = 1_780_000_000.5

    def test_reads_nginx_msec_and_whole_milliseconds_or_microseconds(self):
        self.assertAlmostEqual(waited_seconds("t=1780000000.000", now=self.NOW), 0.5)
        self.assertAlmostEqual(waited_seconds("t=1779999998500", now=self.NOW), 2.0)
        self.assertAlmostEqual(waited_seconds("1779999999500000", now=self.NOW), 1.0)

    def test_garbage_and_clock_skew_are_ignored(self):
        for header in ["", "t=", "soon", "t=1780000100.0", "t=12"]:
            self.assertIsNone(waited_seconds(header, now=self.NOW), header)


@override_settings(VIGIL_REQUEST_DEADLINE_SECONDS=3, VIGIL_SHED_RETRY_AFTER_SECONDS=5)
class ShedLateRequestsTests(TestCase):
    def setUp(self):
        self.url = reverse("articles:detail", kwargs={"slug": make_article().slug})

    def stamped(self, seconds_ago):
        return {"X-Request-Start": f"t={time.time() - seconds_ago:.3f}"}

    def test_a_request_past_its_deadline_gets_a_fast_503_and_touches_nothing(self):
        with self.assertNumQueries(0):
            response = self.client.get(self.url, headers=self.stamped(10))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_request_in_time_or_unstamped_is_served(self):
        self.assertEqual(self.client.get(self.url, headers=self.stamped(0.2)).status_code, 200)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_probes_are_never_shed(self):
        self.assertEqual(self.client.get("/healthz/", headers=self.stamped(10)).status_code, 200)

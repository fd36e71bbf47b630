"""vigil/ratelimit.py and the 429 answer of the public forms."""

import time_machine
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from dissent.models import Dissent
from vigil.ratelimit import client_address, fingerprint, form_rate_limited, reader_text

from .helpers import ARGUMENT, article_with_claims, dissent_post

LIMITS = {
    "RATE_LIMIT": 3, "RATE_WINDOW_SECONDS": 600, "ARGUMENT_MIN_CHARS": 200,
    "ARGUMENT_MAX_CHARS": 10000, "MAX_SOURCES": 10, "REPORT_MIN_CHARS": 20, "REPORT_MAX_CHARS": 5000,
}


class ClientAddressTests(SimpleTestCase):
    def request(self, remote="10.0.0.9", forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().post("/", **extra)

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_proxies_forwarded_header_is_ignored(self):
        self.assertEqual(client_address(self.request("203.0.113.7", "198.51.100.1")), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_one_proxy_reads_the_entry_it_appended(self):
        self.assertEqual(client_address(self.request(forwarded="203.0.113.7")), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_spoofed_entries_on_the_left_are_ignored(self):
        request = self.request(forwarded="1.2.3.4, 5.6.7.8, 203.0.113.7")
        self.assertEqual(client_address(request), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_two_proxies(self):
        request = self.request(forwarded="1.2.3.4, 203.0.113.7, 10.0.0.2")
        self.assertEqual(client_address(request), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_too_few_entries_fall_back_to_the_peer(self):
        self.assertEqual(client_address(self.request("10.0.0.9", "203.0.113.7")), "10.0.0.9")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_garbage_falls_back_to_the_peer(self):
        self.assertEqual(client_address(self.request("10.0.0.9", "not-an-ip")), "10.0.0.9")

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_ipv6_counts_per_64(self):
        one = client_address(self.request("2001:db8:1:2::1"))
        other = client_address(self.request("2001:db8:1:2:ffff::9"))
        self.assertEqual(one, other)
        self.assertEqual(one, "2001:db8:1:2::/64")


class ReaderTextTests(SimpleTestCase):
    def test_controls_go_newlines_tabs_and_scripts_stay(self):
        self.assertEqual(reader_text("a\x00b\x1b\x7fc\r\nd\te 👩🏽‍🔬 Ж"), "abc\nd\te 👩🏽‍🔬 Ж")

    def test_fingerprint_ignores_case_and_spacing(self):
        self.assertEqual(fingerprint("Some  Text\n"), fingerprint("some text"))
        self.assertNotEqual(fingerprint("some text"), fingerprint("other text"))


@override_settings(PUBLIC_FORMS=LIMITS, TRUSTED_PROXY_COUNT=1)
class FormRateLimitTests(TestCase):
    def setUp(self):
        self.article, self.primary, _ = article_with_claims()
        self.url = reverse("dissent:submit", kwargs={"slug": self.article.slug})

    def post(self, n, forwarded="203.0.113.7"):
        argument = f"Submission {n}. {ARGUMENT}"
        return self.client.post(
            self.url, dissent_post(self.primary, argument=argument), HTTP_X_FORWARDED_FOR=forwarded
        )

    def test_burst_gets_429_with_the_text_kept(self):
        for n in range(3):
            self.assertEqual(self.post(n).status_code, 302)
        response = self.post(99)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "600")
        self.assertContains(response, "You've sent several forms in a short time", status_code=429)
        self.assertContains(response, "Submission 99.", status_code=429)
        self.assertContains(response, "https://example.org/survey-2025", status_code=429)
        self.assertContains(response, "Ada Reader", status_code=429)
        self.assertEqual(Dissent.objects.count(), 3)

    def test_spoofed_forwarded_entries_do_not_bypass(self):
        for n in range(3):
            self.post(n, forwarded=f"198.51.100.{n}, 203.0.113.7")
        response = self.post(99, forwarded="192.0.2.55, 203.0.113.7")
        self.assertEqual(response.status_code, 429)

    def test_other_readers_are_not_limited(self):
        for n in range(4):
            self.post(n)
        self.assertEqual(self.post(100, forwarded="203.0.113.8").status_code, 302)

    def test_invalid_posts_count_too(self):
        for _ in range(3):
            self.client.post(self.url, {"argument": "short"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
        self.assertEqual(self.post(1).status_code, 429)

    def test_the_error_report_form_is_limited_separately_and_the_same_way(self):
        for n in range(4):
            self.post(n)
        url = reverse("corrections:report")
        for n in range(3):
            data = {"article": self.article.slug, "what_is_wrong": f"The date in paragraph {n} is wrong."}
            self.assertEqual(self.client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code, 302)
        data = {"article": self.article.slug, "what_is_wrong": "The date in the second paragraph is wrong."}
        response = self.client.post(url, data, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "The date in the second paragraph is wrong.", status_code=429)

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_spoofed_forwarded_for_without_a_trusted_proxy_leaves_the_limit_intact(self):
        """No proxy in front: X-Forwarded-For is whatever the client wrote."""
        statuses = [self.post(n, forwarded=f"198.51.100.{n}").status_code for n in range(10)]
        self.assertEqual(statuses, [302] * 3 + [429] * 7)


@override_settings(PUBLIC_FORMS=LIMITS, TRUSTED_PROXY_COUNT=0)
class SlidingWindowTests(SimpleTestCase):
    """A fixed window would let 2x the limit through around a boundary; this one does not."""

    BOUNDARY = 600 * 2_950_000  # a window boundary (multiple of RATE_WINDOW_SECONDS), in 2026

    def limited(self, at):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
        with time_machine.travel(at, tick=False):
            return form_rate_limited(request, scope="dissent")

    def test_a_burst_just_before_a_boundary_still_counts_just_after(self):
        self.assertEqual([self.limited(self.BOUNDARY - 1) for _ in range(3)], [False] * 3)
        self.assertTrue(self.limited(self.BOUNDARY + 1))

    def test_the_burst_ages_out_one_window_later(self):
        for _ in range(3):
            self.limited(self.BOUNDARY - 1)
        self.assertFalse(self.limited(self.BOUNDARY + 598))

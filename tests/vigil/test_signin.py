"""Sign-in throttling, tested as the attacker (vigil/signin.py, django-axes)."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_admin, make_editor, make_user
from tests.hashers import CountingHasher

LIMIT = 10
RIGHT = "correct horse battery"


@override_settings(
    PASSWORD_HASHERS=["tests.hashers.CountingHasher"],
    AXES_FAILURE_LIMIT=LIMIT,
    AXES_COOLOFF_TIME=datetime.timedelta(minutes=15),
)
class SignInThrottleTests(TestCase):
    def sign_in(self, username, password, *, url="login", address="203.0.113.7"):
        return self.client.post(
            reverse(url), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def signed_in(self):
        return "_auth_user_id" in self.client.session

    def test_fifty_wrong_passwords_lock_the_account_and_the_51st_is_refused_before_hashing(self):
        make_editor(username="editor")
        answers = [self.sign_in("editor", f"guess {n}").status_code for n in range(50)]
        self.assertEqual(answers[:LIMIT - 1], [200] * (LIMIT - 1))
        self.assertEqual(set(answers[LIMIT:]), {429})

        before = CountingHasher.calls
        response = self.sign_in("editor", "guess 51")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(CountingHasher.calls, before, "a locked-out sign-in must hash nothing")
        self.assertContains(response, "Sign-in paused", status_code=429)
        self.assertContains(response, "even the right password is refused", status_code=429)
        self.assertEqual(response["Retry-After"], str(15 * 60))

        response = self.sign_in("editor", RIGHT)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(CountingHasher.calls, before)
        self.assertFalse(self.signed_in())

        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
            response = self.sign_in("editor", RIGHT)
            self.assertRedirects(response, "/desk/", fetch_redirect_response=False)
            self.assertTrue(self.signed_in())

    def test_the_account_is_locked_whatever_address_the_guesses_come_from(self):
        make_editor(username="editor")
        for n in range(LIMIT):
            self.sign_in("editor", "wrong", address=f"198.51.100.{n + 1}")
        response = self.sign_in("editor", RIGHT, address="192.0.2.50")
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.signed_in())

    def test_an_address_is_locked_whatever_accounts_it_guesses(self):
        make_editor(username="editor")
        for n in range(LIMIT):
            self.sign_in(f"someone{n}", "wrong")
        self.assertEqual(self.sign_in("editor", RIGHT).status_code, 429)
        self.assertFalse(self.signed_in())
        # The editor, from their own address, is not held back by the attacker's.
        response = self.sign_in("editor", RIGHT, address="192.0.2.50")
        self.assertEqual(response.status_code, 302)

    def test_a_spoofed_forwarded_for_does_not_give_a_fresh_address(self):
        for n in range(LIMIT):
            self.client.post(
                reverse("login"),
                {"username": f"someone{n}", "password": "wrong"},
                REMOTE_ADDR="203.0.113.7",
                HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
            )
        response = self.client.post(
            reverse("login"),
            {"username": "fresh", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR="10.9.9.9",
        )
        self.assertEqual(response.status_code, 429)

    def test_the_django_admin_sign_in_is_throttled_too(self):
        make_admin(username="boss")
        for n in range(LIMIT):
            self.sign_in("boss", f"guess {n}", url="admin:login")
        before = CountingHasher.calls
        response = self.sign_in("boss", RIGHT, url="admin:login")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(CountingHasher.calls, before)
        self.assertFalse(self.signed_in())

    def test_an_admin_lifts_the_lockout_in_the_django_admin(self):
        make_editor(username="editor")
        for n in range(LIMIT):
            self.sign_in("editor", "wrong", address="192.0.2.9")
        attempt = AccessAttempt.objects.get(username="editor")

        admin = make_admin()
        self.client.force_login(admin)
        listing = self.client.get(reverse("admin:axes_accessattempt_changelist"))
        self.assertContains(listing, "editor")
        response = self.client.post(
            reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.client.logout()

        response = self.sign_in("editor", RIGHT, address="192.0.2.9")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.signed_in())

    def test_an_editor_cannot_lift_a_lockout(self):
        self.client.force_login(make_editor())
        response = self.client.get(reverse("admin:axes_accessattempt_changelist"))
        self.assertEqual(response.status_code, 403)

    def test_a_right_password_before_the_limit_clears_the_count(self):
        make_user(username="reader")
        for n in range(LIMIT - 1):
            self.sign_in("reader", "wrong")
        self.assertEqual(self.sign_in("reader", RIGHT).status_code, 302)
        self.client.logout()
        for n in range(LIMIT - 1):
            self.assertEqual(self.sign_in("reader", "wrong").status_code, 200)


def redis_down():
    """The project's Redis cache settings, pointed at a port where nothing listens."""
    from vigil import settings as project

    if not hasattr(project, "redis_caches"):
        pytest.skip("needs the Redis-down cache backend of issue 17 (vigil.cache)")
    return project.redis_caches("redis://127.0.0.1:9/0")


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
class SignInWithRedisDownTests(TestCase):
    def test_throttling_and_sign_in_do_not_need_the_cache(self):
        make_editor(username="editor")
        make_editor(username="other")
        with override_settings(CACHES=redis_down()):
            response = self.client.post(reverse("login"), {"username": "other", "password": RIGHT})
            self.assertEqual(response.status_code, 302)
            self.client.logout()
            for n in range(LIMIT):
                self.client.post(reverse("login"), {"username": "editor", "password": "wrong"})
            response = self.client.post(reverse("login"), {"username": "editor", "password": RIGHT})
            self.assertEqual(response.status_code, 429)
        # The refused right password counts too: a locked-out attempt is a failure.
        self.assertEqual(AccessAttempt.objects.get(username="editor").failures_since_start, LIMIT + 1)

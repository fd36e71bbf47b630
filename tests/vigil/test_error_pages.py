"""The pages people see when something goes wrong, as production serves them
(DEBUG off): in the site's look, saying what to do next, never a stack trace."""

from django.test import Client, TestCase, override_settings

from dissent.models import Dissent
from tests.dissent.helpers import ARGUMENT, article_with_claims, dissent_post

SITE_NAV = '<nav class="site-nav" aria-label="Site">'


@override_settings(DEBUG=False, ROOT_URLCONF="tests.vigil.error_urls")
class ServerErrorPageTests(TestCase):
    def setUp(self):
        self.client.raise_request_exception = False

    def test_a_fault_answers_500_in_the_site_look_without_its_detail(self):
        with self.assertNumQueries(0):  # the database may be what failed
            response = self.client.get("/fails/")
        self.assertEqual(response.status_code, 500)
        self.assertTemplateUsed(response, "500.html")
        html = response.content.decode()
        self.assertIn("<title>Something went wrong · Vigil</title>", html)
        self.assertIn(SITE_NAV, html)
        self.assertIn("not anything you did", html)
        self.assertIn('href="/"', html)
        for leak in ("Traceback", "RuntimeError", "hunter2", "secret detail"):
            self.assertNotIn(leak, html)
        self.assertEqual(response["Cache-Control"], "private, no-store")


@override_settings(DEBUG=False)
class BadRequestPageTests(TestCase):
    def test_a_request_for_another_host_answers_400_in_the_site_look(self):
        response = self.client.get("/", headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 400)
        self.assertTemplateUsed(response, "400.html")
        html = response.content.decode()
        self.assertIn("We could not read that request", html)
        self.assertIn(SITE_NAV, html)
        self.assertNotIn("evil.example", html)
        self.assertNotIn("DisallowedHost", html)
        self.assertEqual(response["Cache-Control"], "private, no-store")


@override_settings(DEBUG=False)
class CsrfFailurePageTests(TestCase):
    """A reader whose form went stale (no token cookie, as after a long wait
    or a sign-in in another tab) is told what happened and gets their text back."""

    def setUp(self):
        self.article, self.claim, _ = article_with_claims()
        self.form_url = f"/articles/{self.article.slug}/dissent/"
        self.browser = Client(enforce_csrf_checks=True)

    def post(self, origin, referer=None):
        headers = {"origin": origin}
        if referer:
            headers["referer"] = referer
        data = dissent_post(self.claim, argument=ARGUMENT + " <b>bold</b>")
        return self.browser.post(self.form_url, data, headers=headers)

    def test_says_nothing_was_sent_and_gives_back_what_was_typed(self):
        response = self.post("http://testserver", referer=f"http://testserver{self.form_url}?claim={self.claim.code}")
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "403_csrf.html")
        self.assertFalse(Dissent.objects.exists())
        html = response.content.decode()
        self.assertIn("<h1 class=\"page-title\">Your form was not sent</h1>", html)
        self.assertIn(SITE_NAV, html)
        # The argument comes back whole, escaped, in a labelled box to copy from.
        self.assertIn("Argument</label>", html)
        self.assertIn("the verdict overstates the evidence. &lt;b&gt;bold&lt;/b&gt;</textarea>", html)
        self.assertIn("https://example.org/survey-2025", html)
        self.assertIn(f'href="http://testserver{self.form_url}?claim={self.claim.code}"', html)
        # Not the form's own machinery.
        self.assertNotIn("csrfmiddlewaretoken", html)
        self.assertNotIn("Website</label>", html)
        self.assertNotIn("Consent to credit</label>", html)
        self.assertNotIn("CSRF", html)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_a_post_from_another_site_is_not_echoed(self):
        response = self.post("https://evil.example")
        self.assertEqual(response.status_code, 403)
        html = response.content.decode()
        self.assertIn("Your form was not sent", html)
        self.assertNotIn("overstates the evidence", html)
        self.assertIn("Go back to the form", html)

    def test_passwords_are_never_given_back(self):
        response = self.browser.post(
            "/accounts/login/", {"username": "ada", "password": "correct horse"},
            headers={"origin": "http://testserver"},
        )
        self.assertEqual(response.status_code, 403)
        html = response.content.decode()
        self.assertNotIn("correct horse", html)
        self.assertIn("ada</textarea>", html)

from django.test import Client, TestCase
from django.urls import reverse

from reviews.models import EditorPreference
from tests.factories import make_editor, make_user

URL = "/desk/preferences/"


class PreferencesPageTests(TestCase):
    def setUp(self):
        self.editor = make_editor(username="ada")

    def test_url_name(self):
        self.assertEqual(reverse("reviews:preferences"), URL)

    def test_anonymous_is_sent_to_sign_in_for_every_method(self):
        for method in ("get", "post"):
            response = getattr(self.client, method)(URL)
            self.assertEqual(response.status_code, 302, method)
            self.assertIn("/accounts/login/", response["Location"])

    def test_readers_are_refused_for_every_method(self):
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.post(URL, {"reminders_paused": "on"}).status_code, 403)
        self.assertFalse(EditorPreference.objects.exists())

    def test_editor_sees_the_form_in_few_queries(self):
        self.client.force_login(self.editor)
        # session, user, groups (role check), preference, time away, footer's reviewed count.
        with self.assertNumQueries(6):
            response = self.client.get(URL)
        self.assertContains(response, "Pause my reminders")
        self.assertContains(response, '<option value="" selected>Any hour')
        self.assertContains(response, "ada@example.org")

    def test_editor_pauses_reminders_and_picks_an_hour(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            URL, {"reminders_paused": "on", "digest_hour": "7"}, follow=True
        )
        self.assertRedirects(response, URL)
        self.assertContains(response, "Your reminder settings are saved.")
        self.assertContains(response, "Your reminders are paused.")
        preference = EditorPreference.objects.get(user=self.editor)
        self.assertEqual((preference.reminders_paused, preference.digest_hour), (True, 7))
        self.client.post(URL, {"digest_hour": ""})
        preference.refresh_from_db()
        self.assertEqual((preference.reminders_paused, preference.digest_hour), (False, None))

    def test_bad_hour_is_refused_next_to_the_field_and_keeps_the_rest(self):
        self.client.force_login(self.editor)
        response = self.client.post(URL, {"reminders_paused": "on", "digest_hour": "25"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertContains(response, "field field--error")
        self.assertContains(response, "checked")
        self.assertFalse(EditorPreference.objects.exists())

    def test_post_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        self.assertEqual(client.post(URL, {"reminders_paused": "on"}).status_code, 403)

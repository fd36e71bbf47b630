import re

from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from tests.factories import make_editor
from vigil.notifications import outbox_drain


class StaffGroupsMigrationTests(TestCase):
    def perms(self, name):
        return set(
            Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        )

    def test_editors_can_review_weigh_and_log_but_not_sign_off(self):
        editors = self.perms("Editors")
        for perm in [
            ("reviews", "add_review"),
            ("dissent", "change_dissent"),
            ("corrections", "add_correctionentry"),
            ("articles", "add_rewrite"),
            ("claims", "change_claim"),
        ]:
            self.assertIn(perm, editors)
        self.assertNotIn(("auth", "change_user"), editors)
        self.assertNotIn(("corrections", "change_signoffrequest"), editors)

    def test_admins_can_do_everything_editors_can_and_lift_sign_in_lockouts(self):
        admins = self.perms("Admins")
        self.assertLessEqual(self.perms("Editors"), admins)
        self.assertIn(("corrections", "change_signoffrequest"), admins)
        self.assertIn(("axes", "delete_accessattempt"), admins)

    def test_admins_hold_no_auth_permission_managing_people_is_for_superusers(self):
        self.assertEqual({app for app, _ in self.perms("Admins")} & {"auth"}, set())

    def test_factories_reuse_the_migrated_groups(self):
        make_editor()
        self.assertEqual(Group.objects.filter(name="Editors").count(), 1)


class SignInTests(TestCase):
    def test_sign_in_page_is_styled_like_the_site_and_leads_to_the_desk(self):
        response = self.client.get(reverse("login"), {"next": "/desk/"})
        self.assertContains(response, "Sign in to the editor desk")
        self.assertContains(response, 'class="site-header"')
        self.assertContains(response, 'name="next" value="/desk/"')
        editor = make_editor(username="edith")
        response = self.client.post(
            reverse("login"),
            {"username": "edith", "password": "correct horse battery", "next": "/desk/"},
        )
        self.assertRedirects(response, "/desk/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), editor.pk)

    def test_wrong_password_is_refused_and_the_username_kept(self):
        make_editor(username="edith")
        response = self.client.post(reverse("login"), {"username": "edith", "password": "nope"})
        self.assertContains(response, "Please enter a correct username and password")
        self.assertContains(response, 'value="edith"')

    @override_settings(SITE_URL="http://desk.example")
    def test_password_reset_by_email(self):
        make_editor(username="edith")
        # The mail is queued in the outbox and sent after commit (tests/vigil/test_password_reset.py).
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("password_reset"), {"email": "edith@example.org"})
        outbox_drain()  # with a broker the worker sends it; the drain does the same here
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertIn("Reset your", message.subject)
        link = re.search(r"http://desk\.example(\S+)", message.body).group(1)
        form_page = self.client.get(link, follow=True)
        self.assertContains(form_page, "Choose a new password")
        done = self.client.post(
            form_page.redirect_chain[-1][0],
            {
                "new_password1": "a much longer passphrase",
                "new_password2": "a much longer passphrase",
            },
            follow=True,
        )
        self.assertContains(done, "Your password is set")
        self.assertTrue(self.client.login(username="edith", password="a much longer passphrase"))

    def test_sign_out_returns_to_the_public_site(self):
        self.client.force_login(make_editor())
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

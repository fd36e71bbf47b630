"""Least privilege, tested as the person who should be refused: each case is
a role or a per-object rule checked inside the action (vigil.actions), so the
desk, the Django admin and any other caller are refused the same way."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from articles.models import Rewrite
from articles.services import rewrite_withdraw
from corrections.services import signoff_answer
from dissent.models import Dissent
from dissent.services import dissent_submit
from tests.dissent.helpers import ARGUMENT
from tests.factories import (
    make_admin, make_article, make_claim, make_editor, make_entry, make_submitted_rewrite, make_user,
)
from vigil.models import Event


def open_rewrite(editor):
    return make_submitted_rewrite(article=make_article(), editor=editor)


class RewriteWithdrawTests(TestCase):
    def setUp(self):
        self.author = make_editor(username="author", first_name="Ann", last_name="Author")
        self.rewrite = open_rewrite(self.author)

    def test_another_editor_cannot_withdraw_it(self):
        events = Event.objects.count()
        with pytest.raises(PermissionDenied, match="Only Ann Author, who drafted this rewrite, or an admin"):
            rewrite_withdraw(rewrite=self.rewrite, editor=make_editor())
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.OPEN)
        self.assertEqual(Event.objects.count(), events)

    def test_through_the_desk_another_editor_gets_403_with_the_reason_and_no_button(self):
        self.client.force_login(make_editor())
        page = self.client.get(reverse("articles:desk_rewrite", kwargs={"pk": self.rewrite.pk}))
        self.assertNotContains(page, "Withdraw this rewrite")
        self.assertContains(page, "Only Ann Author, who drafted it, or an admin can withdraw")
        response = self.client.post(reverse("articles:desk_rewrite_withdraw", kwargs={"pk": self.rewrite.pk}))
        self.assertContains(response, "who drafted this rewrite, or an admin may withdraw it", status_code=403)
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.OPEN)

    def test_the_author_withdraws_their_own(self):
        rewrite_withdraw(rewrite=self.rewrite, editor=self.author)
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.WITHDRAWN)

    def test_an_admin_withdraws_any(self):
        rewrite_withdraw(rewrite=self.rewrite, editor=make_admin())
        self.rewrite.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.WITHDRAWN)


class SignOffAnswerTests(TestCase):
    def setUp(self):
        self.addressed = make_admin(username="dora", first_name="Dora", last_name="Decides")
        self.entry = make_entry(
            article=make_article(), created_by=make_editor(),
            signoff_question="REVIEW: assess whether this holds.", signoff_addressed_to=self.addressed,
        )
        self.request = self.entry.signoff_request

    def test_another_admin_cannot_answer(self):
        with pytest.raises(PermissionDenied, match="addressed to Dora Decides: only they or a superuser"):
            signoff_answer(request=self.request, answer="Yes.", admin=make_admin())
        self.request.refresh_from_db()
        self.assertTrue(self.request.is_open)

    def test_through_the_desk_another_admin_sees_no_form_and_is_refused(self):
        self.client.force_login(make_admin())
        queue = self.client.get(reverse("corrections:signoff_queue"))
        self.assertContains(queue, "Waiting for Dora Decides: only they or a superuser can answer it.")
        self.assertNotContains(queue, "Answer the request")
        url = reverse("corrections:signoff_answer", kwargs={"pk": self.request.pk})
        response = self.client.post(url, {"answer": "Yes."})
        self.assertContains(response, "only they or a superuser may answer it", status_code=403)
        self.request.refresh_from_db()
        self.assertTrue(self.request.is_open)

    def test_the_addressed_admin_answers(self):
        signoff_answer(request=self.request, answer="Yes.", admin=self.addressed)
        self.request.refresh_from_db()
        self.assertEqual(self.request.answered_by, self.addressed)

    def test_a_superuser_answers_any(self):
        boss = User.objects.create_superuser("boss", "boss@example.org", "pw")
        signoff_answer(request=self.request, answer="Yes.", admin=boss)
        self.request.refresh_from_db()
        self.assertEqual(self.request.answered_by, boss)


class DissentAdminActionTests(TestCase):
    def test_staff_with_only_view_permission_cannot_weigh_or_reject(self):
        dissent = dissent_submit(claim=make_claim(), argument=ARGUMENT)
        viewer = make_user(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_dissent"))
        self.client.force_login(viewer)
        url = reverse("admin:dissent_dissent_changelist")
        for action in ["weigh_not_material", "reject_as_spam"]:
            response = self.client.post(url, {"action": action, "_selected_action": [dissent.pk]}, follow=True)
            self.assertContains(response, "Only editors may do this")
        dissent.refresh_from_db()
        self.assertEqual(dissent.status, Dissent.Status.RECEIVED)


class PeopleTests(TestCase):
    def test_an_admin_cannot_reach_people_in_the_django_admin(self):
        admin = make_admin()
        self.client.force_login(admin)
        for url in [
            reverse("admin:auth_user_changelist"),
            reverse("admin:auth_user_change", args=[admin.pk]),
            reverse("admin:auth_user_password_change", args=[make_editor().pk]),
            reverse("admin:auth_group_changelist"),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_staff_given_change_user_still_cannot_make_a_superuser_or_touch_one(self):
        # An editor (staff follows the role) given the user permissions directly.
        clerk = make_user(is_staff=True, groups=["Editors"])
        clerk.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
        boss = User.objects.create_superuser("boss", "boss@example.org", "pw")
        self.client.force_login(clerk)

        page = self.client.get(reverse("admin:auth_user_change", args=[clerk.pk]))
        self.assertNotContains(page, 'name="is_superuser"')
        self.assertNotContains(page, 'name="groups"')
        form = {
            "username": clerk.username, "email": clerk.email, "is_active": "on", "is_staff": "on",
            "is_superuser": "on", "groups": [Group.objects.get(name="Admins").pk], "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        }
        form["first_name"] = "Clara"
        response = self.client.post(reverse("admin:auth_user_change", args=[clerk.pk]), form)
        self.assertEqual(response.status_code, 302, "the rest of the form saves")
        clerk.refresh_from_db()
        self.assertEqual(clerk.first_name, "Clara")
        self.assertFalse(clerk.is_superuser)
        self.assertEqual(list(clerk.groups.values_list("name", flat=True)), ["Editors"])

        response = self.client.post(
            reverse("admin:auth_user_password_change", args=[boss.pk]),
            {"password1": "a new passphrase here", "password2": "a new passphrase here", "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 403)
        boss.refresh_from_db()
        self.assertTrue(boss.check_password("pw"))


class StaffOnlyNotesTests(TestCase):
    """Staff-only notes on public pages follow the desk's role rule (vigil.roles),
    not the is_staff flag."""

    def setUp(self):
        self.article = make_article()
        make_entry(
            article=self.article, created_by=make_editor(),
            signoff_question="REVIEW: a question only the desk sees (marked internal).", signoff_addressed_to=make_admin(), signoff_internal=True,
        )

    def page(self, user):
        self.client.force_login(user)
        return self.client.get(self.article.get_absolute_url())

    def test_staff_outside_the_desk_roles_do_not_see_them(self):
        self.assertNotContains(self.page(make_user(is_staff=True)), "a question only the desk sees")

    def test_editors_see_them(self):
        self.assertContains(self.page(make_editor()), "a question only the desk sees")

"""People at /desk/people/ (vigil.people): admins invite editors and admins by
e-mail, the link lets them choose a password once and within INVITE_DAYS, and
roles are granted and withdrawn there on the record, staff status following."""

import datetime
import re

import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from tests.factories import make_admin, make_editor, make_user
from vigil import roles
from vigil.models import Event, OutboxMessage
from vigil.notifications import outbox_drain
from vigil.people import RoleRefused, invite_token, person_invite, role_withdraw

PEOPLE = "/desk/people/"
FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PASSWORD = "a long and unusual passphrase 42"


def invite_link(message):
    return re.search(r"http://[^\s]+/accounts/invite/[^\s]+/", message.body).group(0)


class PeoplePagePermissionTests(TestCase):
    def test_only_admins_see_the_page_or_change_roles(self):
        person = make_editor()
        for who, status in [("editor", 403), ("plain", 403)]:
            user = make_editor() if who == "editor" else make_user(is_staff=True)
            self.client.force_login(user)
            with self.subTest(who):
                self.assertEqual(self.client.get(PEOPLE).status_code, status)
                self.assertEqual(self.client.post(PEOPLE, {"email": "x@example.org", "role": "admin"}).status_code, status)
                response = self.client.post(
                    reverse("person_role", args=[person.pk]), {"change": "grant", "role": "admin"}
                )
                self.assertEqual(response.status_code, status)
        self.client.logout()
        self.assertRedirects(self.client.get(PEOPLE), f"/accounts/login/?next={PEOPLE}", fetch_redirect_response=False)
        self.assertFalse(User.objects.filter(email="x@example.org").exists())
        self.assertFalse(roles.is_admin(User.objects.get(pk=person.pk)))

    def test_the_desk_menu_offers_people_to_admins_only(self):
        self.client.force_login(make_editor())
        self.assertNotContains(self.client.get("/desk/"), 'href="/desk/people/"')
        self.client.force_login(make_admin())
        self.assertContains(self.client.get("/desk/"), 'href="/desk/people/"')


@override_settings(SITE_URL="http://desk.example")
class InviteFlowTests(TestCase):
    def setUp(self):
        self.admin = make_admin(first_name="Peter", last_name="Hale")
        self.client.force_login(self.admin)

    def invite(self, **data):
        data = {"email": "Ines@Example.org", "name": "Ines Okafor", "role": "editor", **data}
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(PEOPLE, data)
        # With a broker the worker would send it; the drain does the same here.
        outbox_drain()
        return response

    def test_an_invitation_makes_an_account_with_the_role_and_mails_only_the_invitee(self):
        make_editor(username="other")  # an editor who must not get someone else's link
        response = self.invite()
        self.assertRedirects(response, PEOPLE)
        person = User.objects.get(email="ines@example.org")
        self.assertEqual((person.username, person.get_full_name()), ("ines@example.org", "Ines Okafor"))
        self.assertFalse(person.has_usable_password())
        self.assertEqual(roles.held_roles(person), ["editor"])
        self.assertTrue(person.is_staff, "staff status follows the role")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["ines@example.org"])
        self.assertIn("as an editor", mail.outbox[0].body)
        self.assertTrue(OutboxMessage.objects.get(kind="person_invited").sent_at)
        event = Event.objects.get(action="person.invite")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual({(s.kind, s.key) for s in event.subjects.all()}, {("person", "ines@example.org")})
        page = self.client.get(PEOPLE)
        self.assertContains(page, "Invited, not yet joined")

    def test_the_link_sets_a_password_signs_in_and_works_once(self):
        self.invite()
        link = invite_link(mail.outbox[0]).removeprefix("http://desk.example")
        self.client.logout()
        page = self.client.get(link)
        self.assertContains(page, "You will sign in as <strong>ines@example.org</strong>", html=False)
        self.assertContains(page, 'name="robots" content="noindex"')
        response = self.client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
        self.assertRedirects(response, "/desk/", fetch_redirect_response=False)
        person = User.objects.get(email="ines@example.org")
        self.assertTrue(person.check_password(PASSWORD))
        self.assertEqual(int(self.client.session["_auth_user_id"]), person.pk)
        self.assertEqual(Event.objects.get(action="person.join").actor, person)
        # Used: the same link is refused with a page that says so, and nothing changes.
        self.client.logout()
        again = self.client.get(link)
        self.assertEqual(again.status_code, 410)
        self.assertContains(again, "was used already", status_code=410)
        refused = self.client.post(link, {"new_password1": "another passphrase 77", "new_password2": "another passphrase 77"})
        self.assertEqual(refused.status_code, 410)
        self.assertTrue(User.objects.get(pk=person.pk).check_password(PASSWORD))

    def test_an_expired_link_is_refused_with_a_clear_page(self):
        with time_machine.travel(FROZEN, tick=False):
            self.invite()
        link = invite_link(mail.outbox[0]).removeprefix("http://desk.example")
        self.client.logout()
        with time_machine.travel(FROZEN + datetime.timedelta(days=6, hours=23), tick=False):
            self.assertEqual(self.client.get(link).status_code, 200)
        with time_machine.travel(FROZEN + datetime.timedelta(days=7, minutes=1), tick=False):
            response = self.client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
        self.assertContains(response, "The link has expired", status_code=410)
        self.assertFalse(User.objects.get(email="ines@example.org").has_usable_password())

    def test_a_tampered_link_is_refused(self):
        person = make_user(username="bo")
        person.set_unusable_password()
        person.save()
        token = invite_token(person)
        response = self.client.get(f"/accounts/invite/{token[:-2]}xx/")
        self.assertContains(response, "The link is not valid", status_code=410)

    def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(self):
        self.invite()
        link = invite_link(mail.outbox[0]).removeprefix("http://desk.example")
        self.client.logout()
        response = self.client.post(link, {"new_password1": PASSWORD, "new_password2": "something else"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "didn’t match", status_code=400)
        self.assertEqual(self.client.get(link).status_code, 200)

    def test_bad_input_is_refused_and_what_was_typed_is_kept(self):
        response = self.invite(email="not an address", name="Ines Okafor", role="admin")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Enter a valid email address", status_code=400)
        self.assertContains(response, 'value="not an address"', status_code=400)
        self.assertContains(response, 'value="Ines Okafor"', status_code=400)
        self.assertContains(response, 'value="admin" id="id_role_1" required checked', status_code=400)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Event.objects.filter(action="person.invite").exists())

    def test_someone_already_on_the_desk_is_not_invited_twice(self):
        make_editor(username="ines")
        User.objects.filter(username="ines").update(email="ines@example.org")
        response = self.invite(email="INES@example.org")
        self.assertContains(response, "ines@example.org is already on the desk.", status_code=400)
        self.assertContains(response, 'value="INES@example.org"', status_code=400)
        self.assertEqual(User.objects.filter(email__iexact="ines@example.org").count(), 1)
        self.assertEqual(mail.outbox, [])

    def test_a_person_who_joined_gets_no_stale_invitation_from_the_outbox(self):
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post(PEOPLE, {"email": "bo@example.org", "role": "editor"})
        person = User.objects.get(email="bo@example.org")
        person.set_password(PASSWORD)
        person.save()
        self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(mail.outbox, [])


class RoleChangeTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.client.force_login(self.admin)

    def change(self, person, change, role):
        return self.client.post(reverse("person_role", args=[person.pk]), {"change": change, "role": role}, follow=True)

    def test_granting_and_withdrawing_a_role_writes_events_and_staff_follows(self):
        person = make_user(username="ada")
        self.assertFalse(person.is_staff)
        response = self.change(person, "grant", "editor")
        self.assertContains(response, "The editor role was granted to ada.")
        person.refresh_from_db()
        self.assertEqual((roles.held_roles(person), person.is_staff), (["editor"], True))
        self.change(person, "grant", "admin")
        self.change(person, "withdraw", "editor")
        person = User.objects.get(pk=person.pk)
        self.assertEqual((roles.held_roles(person), person.is_staff), (["admin"], True))
        self.change(person, "withdraw", "admin")
        person = User.objects.get(pk=person.pk)
        self.assertEqual((roles.held_roles(person), person.is_staff), ([], False))
        self.assertEqual(
            list(Event.objects.order_by("pk").values_list("action", "summary")),
            [
                ("role.grant", "ada: editor granted\nstaff status: “False” -> “True” (follows the role)"),
                ("role.grant", "ada: admin granted"),
                ("role.withdraw", "ada: editor withdrawn"),
                ("role.withdraw", "ada: admin withdrawn\nstaff status: “True” -> “False” (follows the role)"),
            ],
        )

    def test_an_admin_cannot_withdraw_their_own_admin_role(self):
        response = self.change(self.admin, "withdraw", "admin")
        self.assertContains(response, "You cannot withdraw your own admin role")
        self.assertTrue(roles.is_admin(User.objects.get(pk=self.admin.pk)))
        self.assertFalse(Event.objects.exists())
        with self.assertRaises(RoleRefused):
            role_withdraw(admin=self.admin, person=self.admin, role="admin")
        # Another admin may.
        other = make_admin()
        role_withdraw(admin=other, person=self.admin, role="admin")
        self.assertFalse(roles.is_admin(User.objects.get(pk=self.admin.pk)))

    def test_a_role_held_or_not_held_or_unknown_is_refused_with_a_reason(self):
        editor = make_editor(username="ed")
        self.assertContains(self.change(editor, "grant", "editor"), "ed is already an editor.")
        self.assertContains(self.change(editor, "withdraw", "admin"), "ed is not an admin.")
        self.assertContains(self.change(editor, "grant", "superuser"), "Unknown role")
        self.assertEqual(self.client.post(reverse("person_role", args=[editor.pk]), {"change": "explode"}).status_code, 400)
        self.assertFalse(Event.objects.exists())

    def test_the_django_admin_makes_staff_follow_the_groups(self):
        from django.contrib.auth.models import Group

        superuser = make_user(username="root", is_superuser=True, is_staff=True)
        self.client.force_login(superuser)
        person = make_user(username="cy")
        editors = Group.objects.get_or_create(name=roles.EDITORS)[0]
        page = self.client.get(f"/admin/auth/user/{person.pk}/change/")
        self.assertNotContains(page, 'name="is_staff"')
        data = {
            "username": "cy", "email": "cy@example.org", "first_name": "", "last_name": "",
            "is_active": "on", "groups": [editors.pk], "date_joined_0": "2026-03-02",
            "date_joined_1": "09:00:00", "initial-date_joined_0": "2026-03-02", "initial-date_joined_1": "09:00:00",
        }
        response = self.client.post(f"/admin/auth/user/{person.pk}/change/", data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None) and response.context["adminform"].form.errors)
        self.assertTrue(User.objects.get(pk=person.pk).is_staff)


class PeoplePageTests(TestCase):
    def test_query_count_does_not_grow_with_people(self):
        admin = make_admin()
        self.client.force_login(admin)
        for n in range(3):
            make_editor(username=f"e{n}")
        self.client.get(PEOPLE)  # warm-up: the footer's count is cached after this
        # session, user, the admin's groups, the people, their groups.
        with self.assertNumQueries(5):
            small = self.client.get(PEOPLE)
        for n in range(20):
            person_invite(admin=admin, email=f"p{n}@example.org", name=f"P {n}", role="admin" if n % 2 else "editor")
        with self.assertNumQueries(5):
            big = self.client.get(PEOPLE)
        self.assertEqual(len(big.context["people"]), len(small.context["people"]) + 20)
        self.assertContains(big, "Withdraw admin<span", count=10)  # the ten invited admins, not oneself

    def test_an_admin_cannot_withdraw_their_own_admin_role_from_the_page_either(self):
        admin = make_admin()
        self.client.force_login(admin)
        page = self.client.get(PEOPLE)
        self.assertContains(page, "Your admin role: another admin can withdraw it.")
        self.assertNotContains(page, "Withdraw admin<span")

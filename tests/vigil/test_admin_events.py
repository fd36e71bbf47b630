"""What the Django admin still edits (pillars, sections, pages, people, groups,
editor preferences) is on the record: one event per save or delete, through the
admin's own actions, which check the person's permission themselves."""

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from articles.models import Page, Pillar
from dissent.services import dissent_submit
from reviews.models import EditorPreference
from tests.dissent.helpers import ARGUMENT
from tests.factories import make_admin, make_claim, make_editor, make_pillar, make_section, make_user
from vigil.admin import admin_change, admin_delete
from vigil.freshness import content_version
from vigil.models import Event


class RecordedAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin(first_name="Ada", last_name="Admin")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_a_pillar_edit_is_one_event_with_before_and_after(self):
        pillar = make_pillar(name="Agents", slug="agents", description="Old description.")
        before = content_version()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/articles/pillar/{pillar.pk}/change/",
                {"name": "AI agents", "slug": "ai-agents", "description": "New description."},
            )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        event = Event.objects.get()
        self.assertEqual((event.action, event.actor, event.actor_name), ("admin.change", self.admin, "Ada Admin"))
        self.assertEqual(event.summary.splitlines(), [
            "Changed pillar “AI agents”",
            "name: “Agents” -> “AI agents”",
            "slug: “agents” -> “ai-agents”",
            "description changed",
        ])
        # The old slug too: cached pages under it are stale.
        self.assertEqual(sorted(event.keys("pillar")), ["agents", "ai-agents"])
        self.assertGreater(content_version(), before, "the pipeline's after-commit hook refreshes pages")

    def test_saving_an_unchanged_form_records_nothing(self):
        section = make_section(name="Policy", slug="policy")
        response = self.client.post(
            f"/admin/articles/section/{section.pk}/change/", {"name": "Policy", "slug": "policy", "description": ""}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Event.objects.exists())

    def test_adding_and_deleting_sections_are_one_event_each(self):
        self.client.post("/admin/articles/section/add/", {"name": "Labour", "slug": "labour", "description": ""})
        self.assertEqual(Event.objects.get().action, "admin.add")
        first, second = make_section(), make_section()
        response = self.client.post("/admin/articles/section/", {
            "action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes",
        })
        self.assertEqual(response.status_code, 302)
        event = Event.objects.newest_first().first()
        self.assertEqual((event.action, sorted(event.keys("section"))), ("admin.delete", sorted([first.slug, second.slug])))
        self.assertEqual(Event.objects.count(), 2)

    def test_a_page_edit_is_recorded_and_editors_cannot_make_one(self):
        page = Page.objects.get(slug=Page.METHOD_SLUG)
        data = {"title": page.title, "slug": page.slug, "body_markdown": "How we review, restated."}
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/admin/articles/page/{page.pk}/change/", data)
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("page")), ("admin.change", [Page.METHOD_SLUG]))
        self.client.force_login(make_editor())
        response = self.client.post(f"/admin/articles/page/{page.pk}/change/", {**data, "body_markdown": "No."})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Event.objects.count(), 1)

    def test_an_editor_preference_edit_names_the_person(self):
        editor = make_editor(username="eve")
        preference = EditorPreference.objects.create(user=editor)
        self.client.post(
            f"/admin/reviews/editorpreference/{preference.pk}/change/",
            {"user": editor.pk, "reminders_paused": "on", "digest_hour": "7"},
        )
        event = Event.objects.get()
        self.assertEqual(event.keys("person"), ["eve"])
        self.assertIn("reminders paused: “False” -> “True”", event.summary)


class AdminActionRoleTests(TestCase):
    """The permission is checked inside the action, whoever calls it."""

    def test_an_editor_without_the_permission_is_refused_and_nothing_is_written(self):
        pillar = make_pillar(name="Unchanged")

        def work(record):
            Pillar.objects.filter(pk=pillar.pk).update(name="Changed")

        with self.assertRaises(PermissionDenied):
            admin_change(user=make_editor(), model=Pillar, work=work)
        with self.assertRaises(PermissionDenied):
            admin_delete(user=make_user(), model=Pillar, work=work)  # not staff at all
        pillar.refresh_from_db()
        self.assertEqual(pillar.name, "Unchanged")
        self.assertFalse(Event.objects.exists())

    def test_an_inactive_admin_is_refused(self):
        with self.assertRaises(PermissionDenied):
            admin_change(user=make_admin(is_active=False), model=Pillar, work=lambda record: None)


class PeopleAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        cls.person = make_user(username="newcomer")

    def setUp(self):
        self.client.force_login(self.superuser)

    def user_form(self, **changes):
        person = self.person
        return {
            "username": person.username, "first_name": "", "last_name": "", "email": person.email,
            "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "09:00:00", **changes,
        }

    def test_making_someone_an_editor_is_one_event_naming_them(self):
        editors = Group.objects.get(name="Editors")
        response = self.client.post(
            f"/admin/auth/user/{self.person.pk}/change/",
            self.user_form(groups=[editors.pk]),
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.assertTrue(self.person.groups.filter(name="Editors").exists())
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("person")), ("admin.change", ["newcomer"]))
        self.assertIn("groups: (empty) -> “Editors”", event.summary)
        # Nobody ticks "Staff status": it follows the role (vigil.roles).
        self.assertIn("staff status: “False” -> “True” (follows the role)", event.summary)

    def test_a_password_change_is_recorded_without_the_password(self):
        response = self.client.post(
            f"/admin/auth/user/{self.person.pk}/password/",
            {"password1": "a new long passphrase", "password2": "a new long passphrase", "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.person.refresh_from_db()
        self.assertTrue(self.person.check_password("a new long passphrase"))
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("person")), ("admin.change", ["newcomer"]))
        self.assertEqual(event.summary, "Changed the password of newcomer")

    def test_a_refused_password_form_records_nothing(self):
        response = self.client.post(
            f"/admin/auth/user/{self.person.pk}/password/",
            {"password1": "one passphrase here", "password2": "another passphrase", "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Event.objects.exists())

    def test_adding_a_person_is_one_event_without_the_password(self):
        response = self.client.post("/admin/auth/user/add/", {
            "username": "arrival", "password1": "a long passphrase here", "password2": "a long passphrase here",
            "usable_password": "true",
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("person"), event.summary), ("admin.add", ["arrival"], "Added user “arrival”"))

    def test_a_group_edit_is_recorded(self):
        group = Group.objects.create(name="Interns")
        self.client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Fellows", "permissions": []})
        event = Event.objects.get()
        self.assertEqual(sorted(event.keys("group")), ["Fellows", "Interns"])


class EventAdminTests(TestCase):
    """Events are read in the admin, like correction entries: never changed there."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin()
        pillar = make_pillar(name="Agents", slug="agents")
        admin_change(user=cls.admin, model=Pillar, work=lambda record: (
            record.touch(pillar), record.say("Changed pillar “Agents”")
        ))
        cls.event = Event.objects.get()

    def setUp(self):
        self.client.force_login(self.admin)

    def test_admins_list_search_and_read_events(self):
        response = self.client.get("/admin/vigil/event/")
        self.assertContains(response, "Changed pillar “Agents”")
        self.assertContains(self.client.get("/admin/vigil/event/", {"q": "agents"}), "admin.change")
        self.assertNotContains(self.client.get("/admin/vigil/event/", {"q": "AM-999"}), "Changed pillar")
        self.assertContains(self.client.get("/admin/vigil/event/", {"action": "admin.change"}), "Changed pillar")
        response = self.client.get(f"/admin/vigil/event/{self.event.pk}/change/")
        self.assertContains(response, "agents")
        self.assertNotContains(response, 'name="summary"')

    def test_no_event_is_added_changed_or_deleted_here(self):
        self.assertEqual(self.client.get("/admin/vigil/event/add/").status_code, 403)
        self.assertEqual(self.client.get(f"/admin/vigil/event/{self.event.pk}/delete/").status_code, 403)
        response = self.client.post(f"/admin/vigil/event/{self.event.pk}/change/", {"summary": "Forged."})
        self.assertEqual(response.status_code, 403)
        self.event.refresh_from_db()
        self.assertEqual(self.event.summary, "Changed pillar “Agents”")

    def test_editors_do_not_see_the_record_here(self):
        self.client.force_login(make_editor())
        self.assertEqual(self.client.get("/admin/vigil/event/").status_code, 403)


class DissentAdminActionTests(TestCase):
    """The dissent admin's actions are the desk's actions: same role check, same event."""

    def setUp(self):
        self.dissent = dissent_submit(claim=make_claim(), argument=ARGUMENT)
        self.before = Event.objects.count()  # the reader's submission is an event of its own

    def reject(self, user):
        self.client.force_login(user)
        return self.client.post(
            "/admin/dissent/dissent/",
            {"action": "reject_as_spam", "_selected_action": [self.dissent.pk]},
            follow=True,
        )

    def test_an_editor_rejects_through_the_action(self):
        editor = make_editor()
        self.reject(editor)
        event = Event.objects.newest_first().first()
        self.assertEqual((event.action, event.actor), ("dissent.reject", editor))
        self.assertEqual(Event.objects.count(), self.before + 1)

    def test_staff_who_are_not_editors_are_refused_by_the_action(self):
        clerk = make_user(is_staff=True)
        clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_dissent", "change_dissent"]))
        response = self.reject(clerk)
        self.assertContains(response, "Only editors may do this")
        self.dissent.refresh_from_db()
        self.assertEqual(self.dissent.status, "received")
        self.assertEqual(Event.objects.count(), self.before)

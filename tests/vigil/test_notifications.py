"""The outbox knows no app: each app registers how its notices read
(AppConfig.ready()); an unregistered kind still reaches the editors."""

from django.core import mail
from django.template import Context, Template
from django.test import TestCase

from corrections.notices import ERROR_REPORT_RECEIVED
from dissent.notices import DISSENT_RECEIVED
from tests.factories import make_editor, make_user
from vigil import notifications


class NoticeDescriberTests(TestCase):
    def test_the_apps_register_their_notices(self):
        self.assertLessEqual({DISSENT_RECEIVED, ERROR_REPORT_RECEIVED}, set(notifications._describers))

    def test_an_unregistered_kind_is_sent_plainly(self):
        make_editor(username="ada")
        notifications.notify_editors(event="something_new", object_id=3)
        self.assertEqual(notifications.outbox_drain(), (1, 0))
        self.assertEqual(mail.outbox[0].subject, "[Vigil] Vigil: something_new")

    def test_a_notice_about_something_gone_is_not_sent(self):
        make_editor(username="ada")
        notifications.notify_editors(event=DISSENT_RECEIVED, object_id=999999)
        self.assertEqual(notifications.outbox_drain(), (0, 0))
        self.assertEqual(mail.outbox, [])


class DisplayNameFilterTests(TestCase):
    def render(self, user):
        return Template("{% load roles %}{{ user|display_name }}").render(Context({"user": user}))

    def test_full_name_or_username(self):
        self.assertEqual(self.render(make_user(username="ada", first_name="Ada", last_name="Byron")), "Ada Byron")
        self.assertEqual(self.render(make_user(username="bo")), "bo")
        self.assertEqual(self.render(None), "")

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from dissent.models import Dissent
from dissent.services import dissent_submit
from tests.factories import make_claim

from .helpers import ARGUMENT


class DissentAdminTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("boss", "boss@example.org", "pw")
        self.client.force_login(self.admin)
        self.dissent = dissent_submit(claim=make_claim(), argument=ARGUMENT)

    def test_changelist_and_reject_action_use_the_service(self):
        url = reverse("admin:dissent_dissent_changelist")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.post(url, {"action": "reject_as_spam", "_selected_action": [self.dissent.pk]})
        self.dissent.refresh_from_db()
        self.assertEqual(self.dissent.status, Dissent.Status.REJECTED)
        self.assertEqual(self.dissent.weighed_by, self.admin)

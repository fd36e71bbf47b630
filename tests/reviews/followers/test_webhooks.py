"""Webhooks: signed POSTs through the outbox to a real local receiver,
retried after a 500, refused for private addresses without the setting."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from claims.models import Verdict
from reviews.followers.models import WebhookDelivery, WebhookEndpoint
from reviews.followers.services import webhook_register
from reviews.followers.webhooks import WebhookRefused
from reviews.services import review_record
from tests.factories import make_admin, make_claim, make_editor
from tests.reviews.followers.helpers import committed, eager
from vigil.notifications import outbox_drain

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def allow_private(**more):
    return override_settings(VIGIL={**settings.VIGIL, "WEBHOOKS_ALLOW_PRIVATE": True, **more})


class Receiver:
    """A local HTTP endpoint answering with the statuses it is given, in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/vigil?x=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def verify(secret, headers, body):
    """What the README tells receivers to do."""
    expected = hmac.new(secret.encode(), headers["X-Vigil-Timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(f"sha256={expected.hexdigest()}", headers["X-Vigil-Signature"])


@time_machine.travel(NOW, tick=True)
class WebhookTests(TestCase):
    def setUp(self):
        self.admin = make_admin(username="root")
        self.editor = make_editor(username="ada")
        self.claim = make_claim(verdict=Verdict.HOLDING)

    def review(self, verdict=Verdict.PARTIAL):
        committed(self, review_record, claim=self.claim, editor=self.editor, verdict=verdict,
                  cadence_days=60, reasoning="A new study.")

    def test_every_post_is_signed_and_a_500_is_retried_with_the_same_delivery_id(self):
        receiver = Receiver([500, 200])
        self.addCleanup(receiver.close)
        with allow_private():
            endpoint = webhook_register(url=receiver.url, events=["review.record"], admin=self.admin)
            self.review()
            self.assertEqual(len(receiver.requests), 1)  # sent after commit, answered 500
            self.assertEqual(outbox_drain(), (0, 0))  # backing off
            with eager(), time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
                self.assertEqual(outbox_drain(), (1, 0))
                self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(len(receiver.requests), 2)
        for headers, body in receiver.requests:
            self.assertTrue(verify(endpoint.secret, headers, body))
            self.assertEqual(headers["X-Vigil-Event"], "review.record")
        first, second = (json.loads(body) for _, body in receiver.requests)
        self.assertEqual(first["id"], second["id"])
        self.assertIn({"kind": "claim", "key": self.claim.code}, first["subjects"])
        self.assertEqual(
            list(WebhookDelivery.objects.order_by("at").values_list("status", flat=True)), [500, 200]
        )
        self.assertFalse(verify("wrong secret", *receiver.requests[0]))

    def test_a_private_address_is_refused_without_the_setting(self):
        receiver = Receiver([200])
        self.addCleanup(receiver.close)
        for url in (receiver.url, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/hook", "http://[::1]/"):
            with self.assertRaises(WebhookRefused):
                webhook_register(url=url, events=[], admin=self.admin)
        # Registered while allowed, delivered after it is not: refused at delivery too.
        WebhookEndpoint.objects.create(url=receiver.url, secret="s")
        self.review()
        self.assertEqual(receiver.requests, [])
        self.assertIn("webhooks go only to public addresses", WebhookDelivery.objects.get().error)

    def test_a_run_of_failures_disables_the_endpoint_and_tells_the_admins(self):
        receiver = Receiver([500])
        self.addCleanup(receiver.close)
        with allow_private(WEBHOOK_MAX_FAILURES=2):
            webhook_register(url=receiver.url, events=[], admin=self.admin)
            self.review()
            with eager(), time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
                outbox_drain()
                outbox_drain()
        endpoint = WebhookEndpoint.objects.get()
        self.assertFalse(endpoint.is_active)
        self.assertEqual(len(receiver.requests), 2)
        (notice,) = [m for m in mail.outbox if m.to == ["root@example.org"] and "Webhook disabled" in m.subject]
        self.assertIn(endpoint.url, notice.body)

    def test_only_admins_see_the_desk_page_and_register_there(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/desk/webhooks/").status_code, 403)
        self.client.force_login(self.admin)
        refused = self.client.post("/desk/webhooks/", {"url": "http://127.0.0.1:9/hook"})
        self.assertContains(refused, "public addresses", status_code=400)
        self.assertContains(refused, 'value="http://127.0.0.1:9/hook"', status_code=400)
        with allow_private():
            self.client.post("/desk/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["review.record"]})
        page = self.client.get("/desk/webhooks/")
        self.assertContains(page, WebhookEndpoint.objects.get().secret)

"""/healthz/ touches nothing; /readyz/ and `manage.py readyz` ask the database
and the broker with short timeouts (vigil/health.py). The broker is a private
redis-server, stopped or paused, never the shared one."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from tests.private_redis import PrivateRedis, needs_redis_server

ROOT = Path(__file__).resolve().parent.parent.parent


class ReadyzTests(TestCase):
    def test_healthz_asks_nothing(self):
        with self.assertNumQueries(0):
            self.assertEqual(self.client.get("/healthz/").status_code, 200)

    def test_ready_when_the_database_and_broker_answer(self):
        response = self.client.get("/readyz/")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["database"], "ok")
        self.assertIn(body["broker"], {"ok", "inline"})
        self.assertEqual((body["ready"], body["degraded"]), (True, False))


@needs_redis_server
class BrokerFaultTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = PrivateRedis().start()

    @classmethod
    def tearDownClass(cls):
        cls.redis.close()
        super().tearDownClass()

    def setUp(self):
        if self.redis.process is None:
            self.redis.start()
        self.addCleanup(self.redis.resume)
        override = override_settings(CELERY_BROKER_URL=self.redis.url)
        override.enable()
        self.addCleanup(override.disable)

    def ask(self):
        started = time.monotonic()
        response = self.client.get("/readyz/")
        self.assertLess(time.monotonic() - started, 3.0)
        return response.status_code, response.json()

    def test_broker_up(self):
        self.assertEqual(self.ask()[1]["broker"], "ok")

    def test_a_stopped_broker_leaves_the_web_ready_but_degraded(self):
        """Readers are served without Redis: the web stays in rotation, and says so."""
        self.redis.stop()
        status, body = self.ask()
        self.assertEqual(status, 200)
        self.assertTrue(body["degraded"])
        self.assertTrue(body["broker"].startswith("unavailable: ConnectionError"), body)

    def test_a_hung_broker_is_reported_within_the_timeout(self):
        self.redis.pause()
        status, body = self.ask()
        self.assertEqual(status, 200)
        self.assertTrue(body["broker"].startswith("unavailable"), body)

    def test_the_worker_and_beat_check_needs_the_broker(self):
        self.redis.stop()
        with self.assertRaisesMessage(CommandError, "not ready"):
            call_command("readyz", stdout=open(os.devnull, "w"))
        call_command("readyz", require="database", stdout=open(os.devnull, "w"))


class DatabaseDownTests(TestCase):
    def test_no_database_is_not_ready_and_says_so_quickly(self):
        """A real process whose database refuses (nothing listens on port 1)."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "postgres://vigil@127.0.0.1:1/vigil",
        }
        env.pop("REDIS_URL", None)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "manage.py", "readyz", "--require", "database"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
        )
        self.assertLess(time.monotonic() - started, 15)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("database: unavailable", done.stdout)
        self.assertIn("broker: inline", done.stdout)

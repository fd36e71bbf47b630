"""Settings for a Celery worker subprocess in the outbox kill test."""

from tests.settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "tests.reviews.followers.mail_backends.CrashAfterBackend"}}

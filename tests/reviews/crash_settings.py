"""Test settings for a subprocess whose mail backend kills it mid-send."""

from tests.settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "tests.reviews.mail_backends.CrashingBackend"}}

"""Mail backends that fail part-way, for the outbox's tests."""

import smtplib

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailsAfterBackend(LocmemBackend):
    """Delivers `allowed` messages, then the SMTP connection fails on every send."""

    allowed = 0

    def send_messages(self, messages):
        if FailsAfterBackend.allowed <= 0:
            raise smtplib.SMTPServerDisconnected("connection lost after 3 sends")
        FailsAfterBackend.allowed -= 1
        return super().send_messages(messages)


class CutOffBackend(LocmemBackend):
    """Celery's soft time limit fires while the second message is being sent."""

    calls = 0

    def send_messages(self, messages):
        CutOffBackend.calls += 1
        if CutOffBackend.calls == 2:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)

"""E-mail backends that misbehave on purpose, for the reminder tests."""

import os
import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    """The mail server is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server is down")


class FlakyBackend(LocmemBackend):
    """Fails the first `failures_left` sends, then delivers to mail.outbox."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("mail server is down (flaky)")
        return super().send_messages(messages)


class CrashingBackend(BaseEmailBackend):
    """The worker process dies in the middle of a send (no cleanup, no finally)."""

    def send_messages(self, messages):
        os._exit(17)


class FileRecordingBackend(BaseEmailBackend):
    """Appends one line per message to $VIGIL_TEST_MAIL_LOG (for subprocesses)."""

    def send_messages(self, messages):
        with open(os.environ["VIGIL_TEST_MAIL_LOG"], "a") as log:
            for message in messages:
                log.write(f"{message.to[0]}\t{message.subject}\n")
        return len(messages)


class SlowLocmemBackend(LocmemBackend):
    """A mail server that takes its time: two senders overlap for sure."""

    def send_messages(self, messages):
        import time

        time.sleep(0.5)
        return super().send_messages(messages)

"""A mail backend for a worker subprocess: records each message (recipient and
Message-ID) to $VIGIL_TEST_MAIL_LOG, and with $VIGIL_CRASH_AFTER=N dies, as a
killed worker does (no cleanup, no finally), when asked to send message N+1."""

import os

from django.core.mail.backends.base import BaseEmailBackend


class CrashAfterBackend(BaseEmailBackend):
    sent = 0

    def send_messages(self, messages):
        crash_after = int(os.environ.get("VIGIL_CRASH_AFTER", "0"))
        with open(os.environ["VIGIL_TEST_MAIL_LOG"], "a") as log:
            for message in messages:
                if crash_after and CrashAfterBackend.sent >= crash_after:
                    os._exit(17)
                log.write(f"{message.to[0]}\t{message.extra_headers.get('Message-ID', '')}\n")
                log.flush()
                CrashAfterBackend.sent += 1
        return len(messages)

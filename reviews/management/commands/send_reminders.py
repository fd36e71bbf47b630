"""Run the reminder job once, inline: the cron alternative to Celery beat.

    */60 * * * *  python manage.py send_reminders
    0 0 * * *     python manage.py send_reminders --turn-over

It also drains the notification outbox, so a site without a worker still
tells editors about new dissent and error reports.
"""

from django.core.management.base import BaseCommand, CommandError

from reviews import reminders
from vigil import notifications
from vigil.freshness import content_changed


class Command(BaseCommand):
    help = "Send review reminder digests now (the same job Celery beat runs hourly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--turn-over",
            action="store_true",
            help="Also refresh cached countdowns (run once just after midnight).",
        )

    def handle(self, *args, turn_over=False, **options):
        result = reminders.reminders_run()
        if turn_over:
            content_changed()
        sent, failed = notifications.outbox_drain()
        summary = (
            f"Digests sent: {result['sent']}, failed: {result['failed']}. "
            f"Notifications sent: {sent}, failed: {failed}."
        )
        if result["failed"] or failed:
            # Non-zero so cron reports it; the rows stay unsent and the next run retries.
            raise CommandError(f"{summary} Failed sends are retried on the next run.")
        self.stdout.write(summary)

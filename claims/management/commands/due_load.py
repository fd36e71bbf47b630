"""Check the due-date load counts (claims.due_load) against the claims, or recount them.

    python manage.py due_load            # exit status 1 and the rows that differ, if any
    python manage.py due_load --rebuild  # recount from the claims (writers wait meanwhile)
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from claims import due_load


class Command(BaseCommand):
    help = "Compare the per-day due-date counts with the claims; --rebuild recounts them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recount every row from the claims.")

    def handle(self, *args, rebuild, **options):
        missing = due_load.missing_triggers(connection)
        if rebuild:
            if missing:
                due_load.install_triggers(connection)
                self.stdout.write(f"Put back the triggers: {', '.join(missing)}.")
            rows = due_load.rebuild(using=connection)
            self.stdout.write(f"Recounted: {rows} rows.")
            return
        drift = due_load.drift()
        if missing:
            self.stderr.write(f"Triggers missing: {', '.join(missing)}; run with --rebuild.")
        for (editor_id, day), (counted, kept) in sorted(
            drift.items(), key=lambda item: (item[0][1], item[0][0] or 0)
        ):
            who = f"editor {editor_id}" if editor_id is not None else "every claim"
            self.stderr.write(f"{day:%Y-%m-%d} {who}: {counted} due, {kept} counted")
        if missing or drift:
            raise CommandError(f"The due-date counts are off on {len(drift)} row(s): run with --rebuild.")
        self.stdout.write("The due-date counts match the claims.")

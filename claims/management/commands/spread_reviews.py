"""Re-spread a pile-up of due dates inside each claim's allowed window.

    python manage.py spread_reviews --on 2026-06-15 --as editor --dry-run
    python manage.py spread_reviews --from 2026-06-01 --to 2026-06-30 --unassigned --as editor

Each moved claim is one claim.reschedule event by the person named in --as.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.spreading import claims_spread


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: give it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Spread the claims due on a day (or between two days) over their windows."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The day the pile-up is due (YYYY-MM-DD).")
        parser.add_argument("--from", dest="due_from", help="First due date to spread.")
        parser.add_argument("--to", dest="due_to", help="Last due date to spread.")
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument("--editor", help="Only this editor's claims (username).")
        owner.add_argument("--unassigned", action="store_true", help="Only unassigned claims.")
        parser.add_argument(
            "--as", dest="actor", required=True, help="Who acts (an editor's username)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the plan; write nothing.")

    def handle(self, *args, on, due_from, due_to, editor, unassigned, actor, dry_run, **options):
        if on and (due_from or due_to):
            raise CommandError("Give either --on or --from/--to.")
        if not (on or due_from):
            raise CommandError("Say which claims: --on DAY, or --from DAY [--to DAY].")
        due_from = _date(on or due_from)
        due_to = _date(on or due_to) if (on or due_to) else due_from
        if due_to < due_from:
            raise CommandError("--to is before --from.")
        users = get_user_model().objects
        try:
            acting = users.get(username=actor)
            owner = users.get(username=editor) if editor else None
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No such user: {error}") from None
        report = claims_spread(
            due_from=due_from,
            due_to=due_to,
            editor=acting,
            owner=owner,
            unassigned=unassigned,
            dry_run=dry_run,
        )
        self.stdout.write(f"{'week of':<13}{'before':>8}{'after':>8}{'busiest day':>14}")
        for monday, before, after, busiest_before, busiest_after in report.weeks():
            self.stdout.write(
                f"{monday:%d %b %Y}  {before:>8}{after:>8}{busiest_before:>7} → {busiest_after}"
            )
        verb = "would move" if dry_run else "moved"
        self.stdout.write(
            f"{report.considered} claim(s) chosen; {verb} {report.moved}"
            + (f"; {report.skipped} changed meanwhile, left as they are" if report.skipped else "")
            + f". Busiest day: {report.busiest_before} → {report.busiest_after} claims."
            + (" Dry run: nothing written." if dry_run else "")
        )

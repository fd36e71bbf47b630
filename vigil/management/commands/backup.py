from django.core.management.base import BaseCommand, CommandError

from vigil.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write the database and the media to a dated archive (vigil/backups.py)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="directory for the archive")

    def handle(self, *args, output, **options):
        try:
            archive = backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))

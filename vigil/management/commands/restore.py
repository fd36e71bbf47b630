from django.core.management.base import BaseCommand, CommandError

from vigil.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and MEDIA_ROOT, then check it."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {sum(manifest['rows'].values())} rows and {len(manifest['media'])} files "
            f"from the backup of {manifest['created_at']}; all checked"
        )

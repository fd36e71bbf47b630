"""Store again, without their metadata, the covers uploaded before originals
were stripped (issue 18): their EXIF (GPS position, camera), XMP and comments
are still public at the cover's address.

    python manage.py strip_cover_metadata --as admin --dry-run
    python manage.py strip_cover_metadata --as admin

Every article with a cover is checked, drafts and retired pieces too (their
files are public to whoever has the address). Each cover stored again is one
cover.strip_metadata event by the admin named in --as, touching its article,
so that article's pages and the lists showing it are refreshed: one event per
article, each in its own transaction, so a damaged file stops nothing else and
a second run does only what is left (covers with nothing to strip are skipped).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.renditions import cover_metadata
from articles.services import CoverUnchanged, cover_metadata_strip


class Command(BaseCommand):
    help = "Store covers uploaded before the metadata change again, without their EXIF/GPS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as", dest="actor", required=True, help="Who acts (an admin's username)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what each cover carries; change nothing."
        )

    def handle(self, *args, actor, dry_run, **options):
        try:
            admin = get_user_model().objects.get(username=actor)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No such user: {actor}") from None
        articles = Article.objects.exclude(cover="").order_by("pk").only("pk", "slug", "title", "cover")
        stripped = clean = left = 0
        for article in articles.iterator():
            try:
                found = cover_metadata(article.cover)
                if found and not dry_run:
                    found = cover_metadata_strip(admin=admin, article=article)
            except CoverUnchanged:  # another run got there first
                found = []
            except PermissionDenied as refused:
                raise CommandError(str(refused)) from None
            except (ValidationError, OSError) as problem:
                left += 1
                why = " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
                self.stderr.write(f"{article.slug}: {article.cover.name} left as it is: {why}")
                continue
            if not found:
                clean += 1
                continue
            stripped += 1
            verb = "would strip" if dry_run else "stripped"
            self.stdout.write(f"{article.slug}: {verb} {', '.join(found)} from {article.cover.name}")
        verb = "would be stored again" if dry_run else "stored again"
        self.stdout.write(
            f"{stripped + clean + left} cover(s) checked: {stripped} {verb}, {clean} had nothing "
            f"to strip" + (f", {left} left as they are (see above)" if left else "") + "."
            + (" Dry run: nothing written." if dry_run else "")
        )

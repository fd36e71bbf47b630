"""Everything Vigil holds about one e-mail address: export it, or erase it.

    manage.py follower_data export reader@example.org
    manage.py follower_data erase reader@example.org
"""

from django.core.management.base import BaseCommand

from reviews.followers.services import address_erase, export_json


class Command(BaseCommand):
    help = "Export or erase everything held about one e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *, what, email, **options):
        if what == "export":
            self.stdout.write(export_json(email))
            return
        counts = address_erase(email)
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))

"""Readiness for processes that serve no HTTP (the worker, beat): exits 0 when
every required check answers, 1 otherwise (vigil.health)."""

from django.core.management.base import BaseCommand, CommandError

from vigil.health import CHECKS, is_ready, readiness


class Command(BaseCommand):
    help = "Check the database and the broker with short timeouts; exit 1 if a required one fails."

    def add_arguments(self, parser):
        parser.add_argument(
            "--require", default="database,broker",
            help="comma-separated checks that must pass (default: database,broker)",
        )

    def handle(self, *args, require, **options):
        required = [name.strip() for name in require.split(",") if name.strip()]
        unknown = set(required) - set(CHECKS)
        if unknown:
            raise CommandError(f"unknown checks: {', '.join(sorted(unknown))}")
        results = readiness()
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
        if not is_ready(results, required):
            raise CommandError("not ready")

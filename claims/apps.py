from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _keep_due_load_counted(sender, using, **kwargs):
    # SQLite drops a table's triggers when a migration remakes the table.
    from django.db import connections

    from . import due_load

    due_load.ensure(connections[using])


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self):
        from vigil.notifications import notice_describer

        from .notices import ARTICLE_SUBMITTED, describe_article_submitted

        notice_describer(ARTICLE_SUBMITTED, describe_article_submitted)
        post_migrate.connect(_keep_due_load_counted, sender=self)

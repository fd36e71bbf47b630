from django.apps import AppConfig


class VigilConfig(AppConfig):
    """The project's own infrastructure: the action pipeline's event record and
    the outbox. It imports no domain app; the apps hook into it."""

    name = "vigil"
    verbose_name = "Vigil"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .actions import after_commit
        from .freshness import content_changed
        from .notifications import notice_describer, outbox_channel
        from .people import (
            PASSWORD_RESET,
            PERSON_INVITED,
            describe_password_reset,
            describe_person_invited,
            invitee_address,
        )
        from .purgers import EDGE_PURGE, PURGE_BATCH, edge_purge_deliver, purge_event

        # Every committed action may change what readers see: the pages
        # showing what it touched are purged, here and at the edge, and every
        # ETag moves.
        after_commit(purge_event)
        after_commit(content_changed)
        outbox_channel(EDGE_PURGE, edge_purge_deliver, batch=PURGE_BATCH)
        # An invitation goes to the person invited, not to every editor.
        notice_describer(PERSON_INVITED, describe_person_invited, recipients=invitee_address)
        # A reset link goes to the account's stored address, written with the row.
        notice_describer(PASSWORD_RESET, describe_password_reset)

from django.apps import AppConfig


class DissentConfig(AppConfig):
    name = "dissent"

    def ready(self):
        from vigil.notifications import notice_describer

        from .notices import (
            DISSENT_ACKNOWLEDGED,
            DISSENT_RECEIVED,
            describe_dissent_acknowledged,
            describe_dissent_received,
        )

        notice_describer(DISSENT_RECEIVED, describe_dissent_received)
        notice_describer(DISSENT_ACKNOWLEDGED, describe_dissent_acknowledged)

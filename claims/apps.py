from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self):
        from vigil.notifications import notice_describer

        from .notices import ARTICLE_SUBMITTED, describe_article_submitted

        notice_describer(ARTICLE_SUBMITTED, describe_article_submitted)

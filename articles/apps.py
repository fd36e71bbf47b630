from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from django.db.models.signals import post_save

        from vigil.conditional import feed_stamp
        from vigil.notifications import notice_describer

        from .covers import cover_saved
        from .feeds import articles_changed
        from .notices import REWRITE_SUBMITTED, describe_rewrite_submitted

        # A new cover gets its renditions in the background (articles/covers.py).
        post_save.connect(
            cover_saved, sender="articles.Article", dispatch_uid="article-cover-renditions"
        )
        # Every feed's validators read the newest article (vigil.conditional).
        feed_stamp(articles_changed)
        notice_describer(REWRITE_SUBMITTED, describe_rewrite_submitted)

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # A new cover gets its renditions in the background (articles/covers.py).
        from django.db.models.signals import post_save

        from .covers import cover_saved

        post_save.connect(
            cover_saved, sender="articles.Article", dispatch_uid="article-cover-renditions"
        )

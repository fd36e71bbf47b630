from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from vigil.conditional import feed_stamp

        from .feeds import reviews_changed

        feed_stamp(reviews_changed)

"""Background work of the claims app. Tasks take IDs and call one function."""

from celery import shared_task

from .services import articles_publish_due


@shared_task(name="claims.articles_publish_due", acks_late=True, soft_time_limit=50, time_limit=55)
def publish_due():
    """Every minute: scheduled pieces whose moment has come go live, each once,
    however many runs overlap (claims.services.article_go_live)."""
    return articles_publish_due()

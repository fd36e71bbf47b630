"""Background work of the articles app. Tasks take IDs and call one function."""

from celery import shared_task
from django.db import transaction

from . import covers


@shared_task(
    name="articles.cover_renditions_make", acks_late=True, soft_time_limit=120, time_limit=180
)
def cover_renditions_make(article_id):
    """Idempotent (same paths, same files), so a redelivered task is harmless."""
    return covers.cover_renditions_make(article_id=article_id)


@shared_task(
    name="articles.cover_renditions_sweep", acks_late=True, soft_time_limit=240, time_limit=300
)
def cover_renditions_sweep():
    """Catch up on covers saved while the broker was down."""
    missing = covers.covers_without_renditions()
    for article_id in missing:
        cover_renditions_make.delay(article_id)
    return len(missing)


def cover_renditions_queue(article):
    """After the saving transaction commits, make the renditions of the article's cover."""
    from vigil.celery import enqueue_quietly

    article_id = article.pk
    transaction.on_commit(
        lambda: enqueue_quietly(
            cover_renditions_make, inline=covers.cover_renditions_make, article_id=article_id
        )
    )

"""What the site does with an article's cover: make its renditions after a
new cover is saved, and find them when a page shows the cover."""

import logging
from functools import partial

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction

from vigil.cachetags import changed_tags
from vigil.freshness import content_changed
from vigil.purgers import tags_purge

from .renditions import manifest_for, manifest_path, rendition_key, renditions_make

logger = logging.getLogger(__name__)

MANIFEST_CACHE_SECONDS = 60 * 60


def _cache_key(name):
    return f"vigil:cover-manifest:{rendition_key(name)}"


def cover_renditions_make(*, article_id):
    """Make the renditions of an article's current cover and refresh pages
    showing it: the article's and the lists' (their <picture> now has the
    renditions), here and at the edge, by the same purge as an action's."""
    from .models import Article

    article = Article.objects.filter(pk=article_id).only("pk", "slug", "cover").first()
    if article is None or not article.cover:
        return None
    manifest = renditions_make(article.cover)
    cache.set(_cache_key(article.cover.name), manifest, MANIFEST_CACHE_SECONDS)
    transaction.on_commit(
        partial(
            tags_purge,
            changed_tags(article),
            source=f"cover:{article.pk}",
            occasion=rendition_key(article.cover.name),
        )
    )
    transaction.on_commit(content_changed)
    return manifest


def covers_without_renditions():
    """IDs of live and draft articles whose cover has no renditions yet (the
    broker was down when it was saved, or the task failed)."""
    from .models import Article

    rows = Article.objects.exclude(cover="").exclude(status="retired").values_list("pk", "cover")
    return [pk for pk, name in rows.iterator() if not default_storage.exists(manifest_path(name))]


def cover_sources(cover):
    """The renditions of `cover` for <picture>, or None (show the original).
    Read from the cache; a miss reads the manifest file once."""
    if not cover:
        return None
    key = _cache_key(cover.name)
    manifest = cache.get(key)
    if manifest is None:
        manifest = manifest_for(cover) or {}
        # Not made yet: ask again in a minute rather than on every page view.
        cache.set(key, manifest, MANIFEST_CACHE_SECONDS if manifest else 60)
    return manifest or None


def cover_share_url(cover):
    """The image other sites show for an article (og:image, JSON-LD): the largest
    JPEG rendition, which every reader of a link preview can decode; the original
    (stored without metadata) until the renditions are made."""
    manifest = cover_sources(cover)
    if manifest:
        return default_storage.url(manifest["sources"][-1]["jpeg"])
    return cover.url


def cover_saved(sender, instance, **kwargs):
    """post_save of Article: a cover without renditions gets them after commit."""
    if kwargs.get("raw") or not instance.cover:
        return
    if default_storage.exists(manifest_path(instance.cover.name)):
        return
    from .tasks import cover_renditions_queue

    cover_renditions_queue(instance)

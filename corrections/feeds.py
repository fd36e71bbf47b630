"""The correction-log feed: dated corrections, clarifications, updates,
rewrites and verdict changes (Atom and RSS, site-wide and per pillar; see
articles/feeds.py)."""

from django.conf import settings
from django.db.models import Max
from django.utils.html import escape

from articles.feeds import FEED_LENGTH, PillarFeed, day_start, plain_text

from .models import CorrectionEntry


class CorrectionsFeed(PillarFeed):
    kind = "correction log"

    def subtitle(self, pillar):
        return "Dated corrections, clarifications, updates, rewrites and verdict changes."

    description = subtitle

    def items(self, pillar):
        entries = CorrectionEntry.objects.public().select_related("article").newest_first()
        if pillar:
            entries = entries.filter(article__pillar=pillar)
        return entries[:FEED_LENGTH]

    def item_title(self, entry):
        return plain_text(f"{entry.get_kind_display()}: {entry.article.title}")

    def item_description(self, entry):
        return escape(entry.text)

    def item_link(self, entry):
        return entry.get_absolute_url()

    def item_guid(self, entry):
        return f"{settings.SITE_URL}{entry.get_absolute_url()}"

    def item_pubdate(self, entry):
        return day_start(entry.entry_on)

    def item_updateddate(self, entry):
        return entry.created_at


def entries_changed(pillar_slug):
    """The correction log's feed stamp (vigil.conditional.feed_stamp). Entries
    are append-only, so the newest one says all a count would."""
    entries = CorrectionEntry.objects.all()
    if pillar_slug:
        entries = entries.filter(article__pillar__slug=pillar_slug)
    return entries.aggregate(latest=Max("created_at"))["latest"]

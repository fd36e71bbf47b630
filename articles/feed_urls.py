"""Feed URLs (namespace "feeds"), site-wide and per pillar, Atom and RSS."""

from django.urls import path
from django.views.decorators.http import condition

from vigil.conditional import feed_etag, feed_last_modified
from vigil.pagecache import public_page

from .feeds import ArticlesFeed, CorrectionsFeed, VerdictChangesFeed, rss

app_name = "feeds"

_condition = condition(etag_func=feed_etag, last_modified_func=feed_last_modified)


def conditional(feed_view):
    # Feed readers poll: a cached copy or a 304, and the feed is built once per change.
    return public_page(_condition(feed_view))

FEEDS = {"articles": ArticlesFeed, "verdicts": VerdictChangesFeed, "corrections": CorrectionsFeed}

urlpatterns = []
for name, feed in FEEDS.items():
    urlpatterns += [
        path(f"feeds/{name}.atom", conditional(feed()), name=name),
        path(f"feeds/{name}.rss", conditional(rss(feed)()), name=f"{name}-rss"),
        path(f"pillars/<slug:slug>/feeds/{name}.atom", conditional(feed()), name=f"pillar-{name}"),
        path(
            f"pillars/<slug:slug>/feeds/{name}.rss",
            conditional(rss(feed)()),
            name=f"pillar-{name}-rss",
        ),
    ]

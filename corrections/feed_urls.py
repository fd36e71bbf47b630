"""The correction-log feed's URLs, in the "feeds" namespace (vigil/feed_urls.py)."""

from articles.feeds import feed_paths

from .feeds import CorrectionsFeed

urlpatterns = feed_paths("corrections", CorrectionsFeed)

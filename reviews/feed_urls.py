"""The verdict-changes feed's URLs, in the "feeds" namespace (vigil/feed_urls.py)."""

from articles.feeds import feed_paths

from .feeds import VerdictChangesFeed

urlpatterns = feed_paths("verdicts", VerdictChangesFeed)

"""The new-articles feed's URLs, in the "feeds" namespace (vigil/feed_urls.py)."""

from .feeds import ArticlesFeed, feed_paths

urlpatterns = feed_paths("articles", ArticlesFeed)

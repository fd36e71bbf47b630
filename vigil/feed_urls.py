"""Every feed under one namespace, "feeds" ({% url 'feeds:verdicts' %}): each
app lists its own feed's URLs, and they are gathered here by name."""

from django.urls import include, path

app_name = "feeds"

urlpatterns = [
    path("", include("articles.feed_urls")),
    path("", include("reviews.feed_urls")),
    path("", include("corrections.feed_urls")),
]

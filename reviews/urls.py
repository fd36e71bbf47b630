from django.urls import path

from . import views
from .feeds import claim_feed

app_name = "reviews"

urlpatterns = [
    # A claim's public page: its verdict and review history.
    path("claims/<str:code>/", views.claim_detail, name="claim"),
    path("claims/<str:code>/feed.atom", claim_feed, name="claim_feed"),
    # The editor desk: every view below is wrapped in vigil.roles.editor_required.
    path("desk/", views.queue, name="queue"),
    path("desk/claims/<str:code>/review/", views.review, name="review"),
    path("desk/claims/<str:code>/proposal/", views.review_proposal, name="review_proposal"),
    path("desk/claims/<str:code>/assign/", views.assign, name="assign"),
    path(
        "desk/claims/<str:code>/triggers/<int:pk>/fire/",
        views.trigger_fire_view,
        name="trigger_fire",
    ),
    path("desk/forecast/", views.forecast_page, name="forecast"),
    path(
        "desk/forecast/away/<int:pk>/reassign/",
        views.forecast_reassign,
        name="forecast_reassign",
    ),
    path("desk/spread/", views.spread, name="spread"),
    path("desk/second-reviews/", views.second_reviews, name="second_reviews"),
    path("desk/second-reviews/<int:pk>/", views.second_review, name="second_review"),
    path("desk/preferences/", views.preferences, name="preferences"),
    path("desk/preferences/away/", views.time_away_add_view, name="time_away_add"),
    path(
        "desk/preferences/away/<int:pk>/remove/",
        views.time_away_remove_view,
        name="time_away_remove",
    ),
]

"""The read-only JSON API (namespace "api"), mounted at /api/."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("claims/", api.claim_list, name="claims"),
    path("claims/<str:code>/", api.claim_detail, name="claim"),
    path("claims/<str:code>/reviews/", api.claim_reviews, name="claim_reviews"),
    path("openapi.json", api.openapi, name="openapi"),
]

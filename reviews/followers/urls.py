from django.urls import path

from . import views

app_name = "followers"

urlpatterns = [
    path("claims/<str:key>/follow/", views.follow_claim, name="follow_claim"),
    path("articles/<slug:key>/follow/", views.follow_article, name="follow_article"),
    path("pillars/<slug:key>/follow/", views.follow_pillar, name="follow_pillar"),
    path("follow/confirm/<str:token>/", views.confirm, name="confirm"),
    path("follow/manage/<str:token>/", views.manage, name="manage"),
    path("desk/webhooks/", views.webhooks, name="webhooks"),
    path("desk/webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook_toggle"),
]

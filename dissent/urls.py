from django.urls import path

from . import views

app_name = "dissent"

urlpatterns = [
    path("articles/<slug:slug>/dissent/", views.submit_dissent, name="submit"),
    path("articles/<slug:slug>/dissent/received/", views.dissent_received, name="received"),
    path("desk/dissent/", views.moderation, name="moderation"),
    path("desk/dissent/<int:pk>/weigh/", views.moderation_weigh, name="weigh"),
    path("desk/reports/<int:pk>/", views.moderation_report, name="report"),
]

from django.urls import path

from . import views

app_name = "dissent"

urlpatterns = [
    path("articles/<slug:slug>/dissent/", views.submit_dissent, name="submit"),
]

from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("claims/", views.ledger, name="ledger"),
    path("search/", views.search_page, name="search"),
]

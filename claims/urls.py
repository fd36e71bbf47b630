from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("claims/", views.ledger, name="ledger"),
    path("claims/<str:code>/", views.claim_detail, name="detail"),
]

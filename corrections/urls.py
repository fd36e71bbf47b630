from django.urls import path

from . import views

app_name = "corrections"

urlpatterns = [
    path("corrections/", views.correction_log, name="log"),
    path("corrections/policy/", views.policy, name="policy"),
    path("corrections/report/", views.report_error, name="report"),
]

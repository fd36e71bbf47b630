from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = []

# Reminder preferences (issue 4).
urlpatterns += [path("desk/preferences/", views.preferences, name="preferences")]

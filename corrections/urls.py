from django.urls import path

from . import views
from .feeds import article_log_feed

app_name = "corrections"

urlpatterns = [
    path("corrections/", views.correction_log, name="log"),
    path("articles/<slug:slug>/feed.atom", article_log_feed, name="article_feed"),
    path("corrections/policy/", views.policy, name="policy"),
    path("corrections/report/", views.report_error, name="report"),
    path("desk/corrections/", views.desk_entries, name="desk_entries"),
    path("desk/corrections/<int:pk>/amend/", views.entry_amend, name="entry_amend"),
    path("desk/sign-off/", views.signoff_queue, name="signoff_queue"),
    path("desk/sign-off/requests/<int:pk>/answer/", views.signoff_request_answer, name="signoff_answer"),
    path("desk/rewrites/<int:pk>/approve/", views.desk_rewrite_approve, name="rewrite_approve"),
    path("desk/articles/<slug:slug>/correct/", views.desk_article_fix, name="article_fix"),
    path("desk/articles/<slug:slug>/retire/", views.desk_article_retire, name="article_retire"),
]

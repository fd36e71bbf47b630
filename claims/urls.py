from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("claims/", views.ledger, name="ledger"),
    path("search/", views.search_page, name="search"),
    # Desk: drafting and sign-off.
    path("desk/articles/", views.desk_articles, name="desk_articles"),
    path("desk/articles/new/", views.desk_article_edit, name="desk_article_new"),
    path("desk/articles/preview/", views.desk_article_preview, name="desk_article_preview"),
    path("desk/articles/<slug:slug>/edit/", views.desk_article_edit, name="desk_article_edit"),
    path("desk/articles/<slug:slug>/submit/", views.desk_article_submit, name="desk_article_submit"),
    path("desk/articles/<slug:slug>/sign-off/", views.desk_article_sign_off, name="desk_article_sign_off"),
    path("desk/articles/<slug:slug>/send-back/", views.desk_article_send_back, name="desk_article_send_back"),
]

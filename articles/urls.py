from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("pillars/", views.pillar_index, name="pillars"),
    path("pillars/<slug:slug>/", views.pillar_detail, name="pillar"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("how-this-works/", views.how_this_works, name="method"),
    path("search/", views.search_page, name="search"),
]

from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.archive, name="archive"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("pillars/", views.pillar_index, name="pillars"),
    path("pillars/<slug:slug>/", views.pillar_detail, name="pillar"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("how-this-works/", views.how_this_works, name="method"),
    # Desk: rewrites, retirements and revisions.
    path("desk/rewrites/", views.desk_rewrites, name="desk_rewrites"),
    path("desk/rewrites/<int:pk>/", views.desk_rewrite, name="desk_rewrite"),
    path("desk/rewrites/<int:pk>/submit/", views.desk_rewrite_submit, name="desk_rewrite_submit"),
    path("desk/rewrites/<int:pk>/withdraw/", views.desk_rewrite_withdraw, name="desk_rewrite_withdraw"),
    path("desk/rewrites/<int:pk>/reject/", views.desk_rewrite_reject, name="desk_rewrite_reject"),
    path("desk/articles/<slug:slug>/rewrite/", views.desk_rewrite_draft, name="desk_rewrite_draft"),
    path("desk/articles/<slug:slug>/revisions/", views.desk_article_revisions, name="desk_article_revisions"),
]

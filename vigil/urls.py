from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

# Each app's urls.py holds its public pages and its desk pages (under /desk/).
urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("articles.urls")),
    path("", include("claims.urls")),
    path("", include("reviews.urls")),
    path("", include("corrections.urls")),
    path("", include("dissent.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .audit import audit_trail
from .browser_policy import csp_report
from .health import healthz, readyz
from .people import PasswordResetRequestView, invite_accept, people, person_role
from .robots import robots_txt

# Each app's urls.py holds its public pages and its desk pages (under /desk/).
# Apps are included by name: the project package imports none of them.
urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("csp-report/", csp_report, name="csp_report"),
    path("admin/", admin.site.urls),
    path("accounts/invite/<str:token>/", invite_accept, name="invite_accept"),
    # Before auth's own: the reset mail is queued in the outbox, not sent in the request.
    path(
        "accounts/password_reset/",
        PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("articles.urls")),
    path("", include("claims.urls")),
    path("", include("reviews.urls")),
    path("", include("corrections.urls")),
    path("", include("dissent.urls")),
    path("", include("reviews.followers.urls")),
    # The audit trail reads the event record, which lives here with the pipeline.
    path("desk/audit/", audit_trail, name="audit_trail"),
    # People and their roles are the auth app's users and groups, kept here with roles.
    path("desk/people/", people, name="people"),
    path("desk/people/<int:pk>/role/", person_role, name="person_role"),
    # Reading and discovery: feeds, the JSON API, sitemap and robots.txt.
    path("", include("vigil.feed_urls")),
    path("api/", include("reviews.api_urls")),
    path("", include("claims.sitemaps")),
    path("robots.txt", robots_txt, name="robots"),
]

# In the site's look, without a stack trace (vigil/errors.py; CSRF_FAILURE_VIEW in settings).
handler400 = "vigil.errors.bad_request"
handler500 = "vigil.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

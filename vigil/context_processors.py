from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _staff_view(request):
    # Only someone with a session cookie can be signed in. Not looking the session
    # up for everyone else keeps a reader's page free of per-visitor state, so the
    # page cache can share it (vigil.pagecache).
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff


def site(request):
    return {
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
        # True for signed-in staff: staff-only notes on public pages.
        "staff_view": SimpleLazyObject(lambda: _staff_view(request)),
    }

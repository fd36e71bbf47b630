from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

REVIEWED_COUNT_KEY = "vigil:claims-reviewed-count"


def claims_reviewed_count():
    """The footer's "N reviewed", cached; reviews.services clears the key."""
    from claims.models import Claim

    count = cache.get(REVIEWED_COUNT_KEY)
    if count is None:
        count = Claim.objects.reviewed().count()
        cache.set(REVIEWED_COUNT_KEY, count, 3600)
    return count


def _staff_view(request):
    # Only someone with a session cookie can be signed in. Not looking the session
    # up for everyone else keeps a reader's page free of per-visitor state, so the
    # page cache can share it (vigil.pagecache).
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff


def site(request):
    return {
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
        # Lazy: pages that do not show the footer pay nothing.
        "claims_reviewed_count": SimpleLazyObject(claims_reviewed_count),
        # True for signed-in staff: staff-only notes on public pages.
        "staff_view": SimpleLazyObject(lambda: _staff_view(request)),
    }

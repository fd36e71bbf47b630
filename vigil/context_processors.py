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


def site(request):
    return {
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
        # Lazy: pages that do not show the footer pay nothing.
        "claims_reviewed_count": SimpleLazyObject(claims_reviewed_count),
    }

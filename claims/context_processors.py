from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .models import Claim

REVIEWED_COUNT_KEY = "vigil:claims-reviewed-count"


def claims_reviewed_count():
    """The footer's "N reviewed", cached; reviews.services clears the key."""
    count = cache.get(REVIEWED_COUNT_KEY)
    if count is None:
        count = Claim.objects.reviewed().count()
        cache.set(REVIEWED_COUNT_KEY, count, settings.VIGIL_PAGE_CACHE_SECONDS)
    return count


def reviewed_count(request):
    # Lazy: pages that do not show the footer pay nothing.
    return {"claims_reviewed_count": SimpleLazyObject(claims_reviewed_count)}

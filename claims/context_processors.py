from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from vigil.freshness import read_at_start, request_start

from .models import Claim

REVIEWED_COUNT_KEY = "vigil:claims-reviewed-count"
# Read with the request's first round trip, not one of its own.
read_at_start(REVIEWED_COUNT_KEY)


def claims_reviewed_count(request=None):
    """The footer's "N reviewed", cached; reviews.services clears the key."""
    found = request_start(request) if request is not None else None
    count = found.get(REVIEWED_COUNT_KEY) if found is not None else cache.get(REVIEWED_COUNT_KEY)
    if count is None:
        count = Claim.objects.reviewed().count()
        cache.set(REVIEWED_COUNT_KEY, count, settings.VIGIL_PAGE_CACHE_SECONDS)
    return count


def reviewed_count(request):
    # Lazy: pages that do not show the footer pay nothing.
    return {"claims_reviewed_count": SimpleLazyObject(lambda: claims_reviewed_count(request))}
